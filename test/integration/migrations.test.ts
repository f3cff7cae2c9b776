import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import mongoose from 'mongoose';
import { connectDatabase, disconnectDatabase } from '../../src/db/connection.js';
import { migrate, migrations, NewerDatabaseError } from '../../src/db/migrations.js';
import { freshDatabaseUri } from '../support/db.js';

const uri = freshDatabaseUri('migrations');
before(() => connectDatabase(uri));
after(() => disconnectDatabase());

const db = () => mongoose.connection.db!;
const snapshot = async () => ({
  statements: await db().collection('wf_statements').find().sort({ _id: 1 }).toArray(),
  platforms: await db().collection('wf_platforms').find().sort({ _id: 1 }).toArray(),
});

test('migrations apply once, in order, and a second run changes nothing', async () => {
  await db().collection('wf_statements').insertMany([
    { _id: 's1' as never, timestamp: new Date('2026-03-04T23:30:00Z') },
    { _id: 's2' as never, timestamp: new Date('2026-03-05T00:10:00Z'), day: '2026-03-05' },
  ]);
  await db().collection('wf_platforms').insertOne({ _id: 'p1' as never, issuer: 'https://lms.example' });

  const first = await migrate();
  assert.deepEqual(first.applied.map((m) => m.id), migrations.map((m) => m.id));
  assert.equal(first.applied[0].changed, 1);
  const afterFirst = await snapshot();
  assert.equal(afterFirst.statements.find((s) => s._id === ('s1' as never))!.day, '2026-03-04');
  assert.equal(afterFirst.platforms[0].autoApproveDeployments, false);

  const second = await migrate();
  assert.deepEqual(second.applied, []);
  assert.deepEqual(await snapshot(), afterFirst, 'the second run changed nothing');
  assert.equal(await db().collection('wf_migrations').countDocuments(), migrations.length);
});

test('a database migrated by a newer Wayfinder is refused with a clear message', async () => {
  await db().collection('wf_migrations').insertOne({ _id: 999 as never, name: 'a future change', appliedAt: new Date() });
  await assert.rejects(migrate(), (err: Error) => err instanceof NewerDatabaseError && /newer Wayfinder \(migration 999: "a future change"\)/.test(err.message));
  const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'migrate'], {
    env: { ...process.env, NODE_ENV: 'test', MONGODB_URI: uri },
    encoding: 'utf8',
  });
  assert.equal(cli.status, 3);
  assert.match(cli.stderr, /newer Wayfinder/);
});
