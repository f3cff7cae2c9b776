import type { StoredStatement } from '../src/activity/index.js';
import { applyEvents, emptyState, keyOf, packState, stateId, toEvent, type StateEvent, type StateKey, type StoredLearnerState } from '../src/activity/state.js';
import { courseLearnerLists, courseListId, learnerStates, storedState } from '../src/activity/state_store.js';
import { deleteByIds } from '../src/db/expiry_buckets.js';

/**
 * The bulk part of bench:scale's seed goes straight into the statement log; its learner states
 * are built here from the same statements, in memory, and written once per phase (in bulk, per
 * state shard: a delete of the old versions by `_id`, then one insert), over what the real write
 * path already put in them. The measured requests then find the states the write path keeps.
 */
const pending = new Map<string, { key: StateKey; issuer: string; events: StateEvent[] }>();

export async function seedLearnerStates(docs: StoredStatement[]): Promise<void> {
  for (const d of docs) {
    const id = stateId(keyOf(d));
    const entry = pending.get(id) ?? { key: keyOf(d), issuer: d.issuer, events: [] };
    entry.events.push(toEvent(d));
    pending.set(id, entry);
  }
}

export async function flushLearnerStates(): Promise<number> {
  const byShard = new Map<string, StoredLearnerState[]>();
  const courses = new Map<string, { tenantId: string; courseId: string; subs: string[] }>();
  for (const [id, { key, issuer, events }] of pending) {
    const existing = await storedState(id);
    const state = packState({ ...applyEvents(existing ?? emptyState(key, issuer), events), v: (existing?.v ?? 0) + 1, updatedAt: new Date() });
    const shard = learnerStates(id).collectionName;
    byShard.set(shard, [...(byShard.get(shard) ?? []), state]);
    const c = courses.get(courseListId(key.tenantId, key.courseId)) ?? { tenantId: key.tenantId, courseId: key.courseId, subs: [] };
    c.subs.push(key.sub);
    courses.set(courseListId(key.tenantId, key.courseId), c);
  }
  for (const states of byShard.values()) {
    await deleteByIds(learnerStates(states[0]._id).collectionName, states.map((s) => s._id));
    await learnerStates(states[0]._id).insertMany(states);
  }
  for (const [_id, c] of courses) {
    await courseLearnerLists().updateOne({ _id }, { $addToSet: { subs: { $each: c.subs } }, $setOnInsert: { tenantId: c.tenantId, courseId: c.courseId } }, { upsert: true });
  }
  const n = pending.size;
  pending.clear();
  return n;
}
