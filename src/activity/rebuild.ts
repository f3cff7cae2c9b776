import { deleteByIds } from '../db/expiry_buckets.js';
import { log } from '../log.js';
import { statements, type StoredStatement } from './model.js';
import { recordForRetention } from './retention.js';
import { applyEvents, emptyState, keyOf, packState, stateId, toEvent, type LearnerStateDoc, type StateEvent, type StateKey } from './state.js';
import { allStateCollections, courseLearnerLists, courseListId, forgetState, learnerStates } from './state_store.js';

/**
 * Learner states rebuilt from the statement log, the source of truth: the repair pass for
 * `wayfinder rebuild-state`, migration 3 on databases written before states existed, and a
 * preview reset. One streamed pass over the log (a background job, not a request path); states
 * are built in memory as compact events (about 100 bytes a statement) and written by `_id`.
 */
export interface RebuildReport {
  statements: number;
  states: number;
  removed: number;
}

function stateFrom(k: StateKey, issuer: string, events: StateEvent[]): LearnerStateDoc {
  return { ...applyEvents(emptyState(k, issuer), events), v: 1, updatedAt: new Date() };
}

/** Writes a rebuilt state over whatever is there (a newer version number, so a concurrent writer re-reads). */
async function put(state: LearnerStateDoc): Promise<void> {
  const current = await learnerStates(state._id).findOne({ _id: state._id }, { projection: { v: 1 } });
  await learnerStates(state._id).replaceOne({ _id: state._id }, packState({ ...state, v: (current?.v ?? 0) + 1 }), { upsert: true });
  forgetState(state._id);
}

export async function rebuildAllStates(o: { alsoExpiryBuckets?: boolean; onProgress?: (n: number) => void } = {}): Promise<RebuildReport> {
  const built = new Map<string, { key: StateKey; issuer: string; events: StateEvent[] }>();
  let n = 0;
  let pendingBuckets: Pick<StoredStatement, '_id' | 'stored'>[] = [];
  for await (const s of statements().find({}, { batchSize: 2000 })) {
    if (o.alsoExpiryBuckets) {
      pendingBuckets.push({ _id: s._id, stored: s.stored ?? s.timestamp ?? new Date() });
      if (pendingBuckets.length >= 1000) {
        await recordForRetention(pendingBuckets);
        pendingBuckets = [];
      }
    }
    if (++n % 10_000 === 0) o.onProgress?.(n);
    // Only a learner's statement (scoped and timed) has a state to go into.
    if (!s.tenantId || !s.courseId || !s.sub || !(s.timestamp instanceof Date) || !(s.stored instanceof Date)) continue;
    const key = keyOf(s);
    const id = stateId(key);
    const entry = built.get(id) ?? { key, issuer: s.issuer, events: [] };
    entry.events.push(toEvent(s));
    built.set(id, entry);
  }
  if (pendingBuckets.length) await recordForRetention(pendingBuckets);
  const courses = new Map<string, { tenantId: string; courseId: string; subs: string[] }>();
  for (const { key, issuer, events } of built.values()) {
    await put(stateFrom(key, issuer, events));
    if (key.preview) continue;
    const c = courses.get(courseListId(key.tenantId, key.courseId)) ?? { tenantId: key.tenantId, courseId: key.courseId, subs: [] };
    c.subs.push(key.sub);
    courses.set(courseListId(key.tenantId, key.courseId), c);
  }
  for (const [_id, c] of courses) await courseLearnerLists().replaceOne({ _id }, c, { upsert: true });
  // States the log no longer supports (their statements erased or purged) go.
  let removed = 0;
  for (const shard of allStateCollections()) {
    const stale: string[] = [];
    for await (const s of shard.find({}, { projection: { _id: 1 } })) if (!built.has(s._id)) stale.push(s._id);
    removed += await deleteByIds(shard.collectionName, stale);
  }
  log.info({ statements: n, states: built.size, removed }, 'learner states rebuilt from the statement log');
  return { statements: n, states: built.size, removed };
}

/** One learner's state in one course rebuilt from the log (after a preview reset deleted statements). */
export async function rebuildState(k: StateKey, issuer: string): Promise<void> {
  const docs = await statements().find({ tenantId: k.tenantId, courseId: k.courseId, sub: k.sub, preview: k.preview }).toArray();
  if (!docs.length) {
    await learnerStates(stateId(k)).deleteOne({ _id: stateId(k) });
    forgetState(stateId(k));
    return;
  }
  await put(stateFrom(k, issuer, docs.map(toEvent)));
}
