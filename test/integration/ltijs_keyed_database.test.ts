import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mongoose from 'mongoose';
import { ltijsId } from '../../src/lti/contrib/ltijs_keyed_database.js';
import { lti } from '../../src/lti/provider.js';
import { startToolAndLms, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID, type ToolAndLms } from '../support/lti.js';

let env: ToolAndLms;
before(async () => {
  env = await startToolAndLms({ LABEL: 'ltijs_keyed' });
});
after(async () => env.close());

const col = (name: string) => mongoose.connection.db!.collection(name);

test('ltijs’s documents are stored under the `_id`s derived from their lookup fields', async () => {
  const r = await env.launchAs({ clientId: TEST_CLIENT_ID, role: 'student', user: '4' });
  assert.equal(r.status, 200, r.body.slice(0, 300));
  const platform = await col('platforms').findOne({ _id: JSON.stringify([env.lms.issuer, TEST_CLIENT_ID]) as never });
  assert.ok(platform, 'the platform is keyed by [platformUrl, clientId]');
  assert.equal(platform._id, ltijsId('platform', platform));
  assert.ok(await col('platformstatuses').findOne({ _id: platform.kid }), 'its status is keyed by its kid');
  assert.ok(await col('publickeys').findOne({ _id: platform.kid }), 'the tool key pair is keyed by kid');
  assert.ok(await col('privatekeys').findOne({ _id: platform.kid }));
  const idToken = await col('idtokens').findOne({ _id: JSON.stringify([env.lms.issuer, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID, '4']) as never });
  assert.ok(idToken?.createdAt instanceof Date, 'the id token is keyed by [iss, clientId, deploymentId, user] and carries createdAt for expiry');
  for (const name of ['platforms', 'platformstatuses', 'publickeys', 'privatekeys', 'idtokens', 'contexttokens']) {
    assert.equal(await col(name).countDocuments({ _id: { $type: 'objectId' } }), 0, `${name}: no ObjectId keys`);
  }
});

test('documents written before the plugin are re-keyed at start, and found by _id afterwards', async () => {
  const platform = (await col('platforms').findOne({ _id: JSON.stringify([env.lms.issuer, TEST_CLIENT_ID]) as never }))!;
  const { _id: _old, ...fields } = platform;
  await col('platforms').deleteOne({ _id: platform._id });
  await col('platforms').insertOne({ ...fields }); // as ltijs's own Database wrote it: an ObjectId
  const db = (lti as unknown as { Database: { rekeyExisting(): Promise<number> } }).Database;
  assert.equal(await db.rekeyExisting(), 1);
  assert.ok(await col('platforms').findOne({ _id: platform._id }));
  assert.equal(await col('platforms').countDocuments({ _id: { $type: 'objectId' } }), 0);
  const r = await env.launchAs({ clientId: TEST_CLIENT_ID, role: 'student' });
  assert.equal(r.status, 200, 'launches still find the platform');
});

test('lookups by other fields still answer (issuer only, all platforms)', async () => {
  const byIssuer = (await (lti as unknown as { getPlatform(url: string): Promise<unknown[]> }).getPlatform(env.lms.issuer)) as unknown[];
  assert.equal(byIssuer.length, 1);
  const all = await (lti as unknown as { Database: { Get(k: false, c: string): Promise<unknown[] | false> } }).Database.Get(false, 'platform');
  assert.ok(all && all.length === 1);
});
