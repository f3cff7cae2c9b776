import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import mongoose from 'mongoose';
import type { StoredStatement } from '../../src/activity/model.js';
import { learnerRecord } from '../../src/activity/learner_state.js';
import { emptyState, packState, stateId, toEvent, applyEvents, type StateKey } from '../../src/activity/state.js';
import { learnerStates, readState } from '../../src/activity/state_store.js';
import { CLAIM_TIMEOUT_MS, claimNextVersion, PROCESS } from '../../src/activity/state_versions.js';
import { writeStatements } from '../../src/activity/write.js';
import { connectDatabase, disconnectDatabase } from '../../src/db/connection.js';
import { freshDatabaseUri } from '../support/db.js';

/**
 * How learner states are stored and changed: packed into one string (FerretDB decodes a document
 * value by value), and written after claiming the next version with an insert, so no write filters
 * by anything but `_id` and two writers never both win.
 */
before(() => connectDatabase(freshDatabaseUri('state_storage')));
after(() => disconnectDatabase());

const key: StateKey = { tenantId: 't1', courseId: 'c1', sub: 'ada/1', preview: false };
const claims = () => mongoose.connection.db!.collection<{ _id: string; at: Date; by: string }>('wf_state_claims');
let n = 0;
function answer(k: StateKey, ok: boolean): StoredStatement {
  const t = new Date(Date.UTC(2026, 10, 1, 9, 0, n++));
  return {
    _id: randomUUID(),
    tenantId: k.tenantId,
    courseId: k.courseId,
    sub: k.sub,
    issuer: 'https://lms.example',
    verb: 'answered',
    object: { id: `item-${n % 7}`, kind: 'item' },
    result: { success: ok, score: { scaled: ok ? 1 : 0 } },
    context: { launchId: 'l1' },
    timestamp: t,
    stored: t,
    day: t.toISOString().slice(0, 10),
    preview: false,
  };
}

test('a state is stored as one packed string and reads back with its dates and outcomes', async () => {
  const docs = [answer(key, true), answer(key, false), answer(key, true)];
  for (const d of docs) await writeStatements([d]);
  const raw = await learnerStates(stateId(key)).findOne({ _id: stateId(key) });
  assert.ok(raw && 'packed' in raw && typeof raw.packed === 'string');
  assert.equal('events' in raw, false, 'no events as objects in the document');
  const state = await readState(key);
  assert.equal(state?.v, 3);
  assert.deepEqual(
    state?.events.map((e) => [e.id, e.ok, e.t instanceof Date && +e.t]),
    docs.map((d) => [d._id, d.result!.success, +d.timestamp]),
  );
  const history = await learnerRecord(key, key.sub);
  assert.deepEqual(history.map((h) => h.result?.success), [true, false, true]);
});

test('a state written before packing (events as objects) reads the same as a packed one', async () => {
  const k = { ...key, sub: 'legacy' };
  const events = [answer(k, true), answer(k, false)].map(toEvent);
  const state = { ...applyEvents(emptyState(k, 'https://lms.example'), events), v: 2 };
  const { life: _life, ...legacy } = state; // written before states had a life, too
  await learnerStates(stateId(k)).insertOne(legacy);
  const read = await readState(k);
  assert.deepEqual(read?.events, events);
  // The next write packs it and moves it on one version.
  await writeStatements([answer(k, true)]);
  const raw = await learnerStates(stateId(k)).findOne({ _id: stateId(k) });
  assert.ok(raw && 'packed' in raw);
  assert.equal((await readState(k))?.events.length, 3);
  assert.equal(raw.v, 3);
});

test('claims: one version is won once; claims name no learner; a dead claim is taken over', async () => {
  const k = { ...key, sub: 'claims' };
  await writeStatements([answer(k, true)]);
  const state = (await readState(k))!;
  await claims().deleteMany({});
  assert.equal(await claimNextVersion(state), true);
  assert.equal(await claimNextVersion(state), true, "this process's own claim is a failed write of its own: taken over");
  const all = await claims().find({}).toArray();
  assert.equal(all.length, 1);
  const [claim] = all;
  assert.doesNotMatch(JSON.stringify(all), /claims|t1|c1/, 'claim ids are hashes');
  // Another process's live claim wins; once past the timeout it is taken over.
  await claims().updateOne({ _id: claim._id }, { $set: { by: 'another-process', at: new Date() } });
  assert.equal(await claimNextVersion(state), false);
  assert.equal(await claimNextVersion(state, new Date(Date.now() + CLAIM_TIMEOUT_MS + 1000)), true);
});

test("a write that finds another process's live claim waits for it, and gives up with a clear error when it never lands", async () => {
  const k = { ...key, sub: 'contended' };
  await writeStatements([answer(k, true)]);
  const state = (await readState(k))!;
  assert.equal(await claimNextVersion(state), true);
  await claims().updateMany({ by: PROCESS }, { $set: { by: 'another-process', at: new Date() } });
  const lost = answer(k, false);
  await assert.rejects(writeStatements([lost]), /learner state .*: too many concurrent writers/);
  assert.equal(await mongoose.connection.db!.collection('wf_statements').findOne({ _id: lost._id as never }), null, 'nothing stored, so the retry stores it');
  // The other writer lands its version: the retry goes through on top of it.
  await learnerStates(stateId(k)).replaceOne({ _id: stateId(k) }, packState({ ...state, v: state.v + 1 }));
  await writeStatements([lost]);
  const after = (await readState(k))!;
  assert.equal(after.v, state.v + 2);
  assert.deepEqual(after.events.map((e) => e.ok), [true, false]);
});

test('concurrent writes of one learner in this process each land once, in order of time', async () => {
  const k = { ...key, sub: 'burst' };
  await claims().deleteMany({});
  const docs = Array.from({ length: 12 }, (_, i) => answer(k, i % 2 === 0));
  await Promise.all(docs.map((d) => writeStatements([d])));
  const state = (await readState(k))!;
  assert.equal(state.v, 12);
  assert.deepEqual(state.events.map((e) => e.id), docs.map((d) => d._id));
  assert.equal(await claims().countDocuments({}), 1, 'only the latest claim is kept');
});
