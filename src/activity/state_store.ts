import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { forgetForRequest, oncePerRequest } from '../db/request_reads.js';
import { log } from '../log.js';
import { statements, type StoredStatement } from './model.js';
import { retentionCutoff } from './retention.js';
import { claimNextVersion, PROCESS, releaseVersion } from './state_versions.js';
import { applyStatements, emptyState, keyOf, packState, stateId, unpackState, withoutExpired, type LearnerStateDoc, type StateKey, type StoredLearnerState } from './state.js';

/**
 * Where learner states live and how they change: read by `_id`, written whole after claiming the
 * next version (state_versions.ts), one write at a time per learner in this process. A per-course
 * document lists the course's learners (updated when a learner first appears), so the teacher
 * overview reads the course's states by `_id` instead of scanning the log.
 *
 * States are spread over STATE_SHARDS collections by a hash of their `_id`. That was for the
 * unpatched FerretDB, where every `_id` filter scanned its table (src/db/ferretdb_patches.ts);
 * it is kept because small collections cost nothing and moving states means rebuilding them.
 */
export const STATE_SHARDS = 64;
const shardName = (n: number) => `wf_learner_states_${String(n).padStart(2, '0')}`;
export const learnerStates = (id: string) =>
  mongoose.connection.collection<StoredLearnerState | LearnerStateDoc>(shardName(createHash('sha256').update(id).digest()[0] % STATE_SHARDS));
/** Every shard, for background passes (rebuild, erasure). */
export const allStateCollections = () => Array.from({ length: STATE_SHARDS }, (_, n) => mongoose.connection.collection<StoredLearnerState | LearnerStateDoc>(shardName(n)));

/** One state by `_id`, unpacked, as stored (not healed). */
export async function storedState(id: string): Promise<LearnerStateDoc | null> {
  const doc = await learnerStates(id).findOne({ _id: id });
  return doc && unpackState(doc);
}

export interface CourseLearnersDoc {
  _id: string;
  tenantId: string;
  courseId: string;
  subs: string[];
}
export const courseLearnerLists = () => mongoose.connection.collection<CourseLearnersDoc>('wf_course_learners');
export const courseListId = (tenantId: string, courseId: string) => `cl/${tenantId}/${courseId}`;

/** Writes of this process whose statement insert has not completed yet, by state id. */
const inFlight = new Set<string>();
/** A write this old whose insert never confirmed is treated as interrupted. */
const UNCONFIRMED_GRACE_MS = 60_000;

const locks = new Map<string, Promise<unknown>>();
/** Runs `fn` after every earlier write of the same state in this process (a promise chain per key). */
async function serially<T>(id: string, fn: () => Promise<T>): Promise<T> {
  const before = locks.get(id) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const tail = run.catch(() => undefined);
  locks.set(id, tail);
  try {
    return await run;
  } finally {
    if (locks.get(id) === tail) locks.delete(id);
  }
}

/** Writes `next` (or deletes the state, for `null`) if it is still at the version read; false when another writer got there first. */
async function save(prev: LearnerStateDoc | null, next: LearnerStateDoc | null): Promise<boolean> {
  try {
    return await write(prev, next);
  } finally {
    forgetState((prev ?? next)!._id);
  }
}

async function write(prev: LearnerStateDoc | null, next: LearnerStateDoc | null): Promise<boolean> {
  if (!prev) {
    try {
      if (next) await learnerStates(next._id).insertOne(packState(next));
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }
  if (!(await claimNextVersion(prev))) return false;
  // A state deleted meanwhile (a preview reset, an erasure) is not there to replace: the caller
  // reads again and starts it anew, rather than counting a write that landed nowhere.
  const landed = next ? (await learnerStates(prev._id).replaceOne({ _id: prev._id }, packState({ ...next, v: prev.v + 1, life: prev.life }))).matchedCount === 1 : (await learnerStates(prev._id).deleteOne({ _id: prev._id }), true);
  await releaseVersion(prev);
  return landed;
}

/**
 * A crash between a state write and its statement insert leaves statements in the state that the
 * log never got: check them by `_id` and drop those that are missing (the heal on read).
 */
async function confirmed(state: LearnerStateDoc, now = Date.now()): Promise<LearnerStateDoc> {
  if (!state.unconfirmed.length) return state;
  const ours = state.writer?.process === PROCESS;
  if (ours ? inFlight.has(state._id) : now - +(state.writer?.at ?? 0) < UNCONFIRMED_GRACE_MS) return state;
  if (ours) return { ...state, unconfirmed: [] }; // this process finished that write; the insert completed
  const present = await Promise.all(state.unconfirmed.map((id) => statements().findOne({ _id: id }, { projection: { _id: 1 } })));
  const missing = new Set(state.unconfirmed.filter((_, i) => !present[i]));
  if (missing.size) log.warn({ state: state._id, missing: missing.size }, 'learner state: dropped statements an interrupted write never stored');
  const events = state.events.filter((e) => !missing.has(e.id));
  const healed = { ...state, events, total: state.total - missing.size, unconfirmed: [], writer: undefined, v: state.v + 1, updatedAt: new Date() };
  await save(state, healed).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'learner state: heal not saved'));
  return healed;
}

/** One learner's state by `_id`, healed and without what retention purged; undefined when they have none. */
export async function readState(k: StateKey): Promise<LearnerStateDoc | undefined> {
  const id = stateId(k);
  // Read once per request (a page reads the learner's record several times); every write forgets it.
  const doc = await oncePerRequest(memoKey(id), () => storedState(id));
  return doc ? withoutExpired(await confirmed(doc), retentionCutoff()) : undefined;
}

const memoKey = (id: string) => `learner-state/${id}`;
/** After a write of state `id`, this request's next read goes to the database. */
export const forgetState = (id: string) => forgetForRequest(memoKey(id));

/** Several states by `_id` (the overview's class), in parallel groups. */
export async function readStates(keys: StateKey[]): Promise<LearnerStateDoc[]> {
  const out: LearnerStateDoc[] = [];
  for (let i = 0; i < keys.length; i += 50) {
    const part = await Promise.all(keys.slice(i, i + 50).map(readState));
    out.push(...part.filter((s): s is LearnerStateDoc => s !== undefined));
  }
  return out;
}

/** The learners of a course with any (non-preview) activity. */
export async function courseLearnerSubs(tenantId: string, courseId: string): Promise<string[]> {
  return (await courseLearnerLists().findOne({ _id: courseListId(tenantId, courseId) }))?.subs ?? [];
}

async function listLearner(k: StateKey): Promise<void> {
  if (k.preview) return;
  await courseLearnerLists().updateOne(
    { _id: courseListId(k.tenantId, k.courseId) },
    { $addToSet: { subs: k.sub }, $setOnInsert: { tenantId: k.tenantId, courseId: k.courseId } },
    { upsert: true },
  );
}

/**
 * Applies one learner's statements to their state before the statements are inserted, marked
 * unconfirmed until `insert` resolves (so a crash in between heals on the next read), and exactly
 * once: statements already in the state (a retry) are not applied again. When `insert` fails the
 * state is put back as it was.
 */
export async function withStateApplied<T>(docs: StoredStatement[], insert: () => Promise<T>): Promise<T> {
  const groups = new Map<string, StoredStatement[]>();
  for (const d of docs) groups.set(stateId(keyOf(d)), [...(groups.get(stateId(keyOf(d))) ?? []), d]);
  const ids = [...groups.keys()];
  if (ids.length !== 1) {
    // One request is one learner; several (bulk tools) apply one after another, each confirmed.
    const result = await insert();
    for (const group of groups.values()) await applyConfirmed(group);
    return result;
  }
  const [id] = ids;
  return serially(id, async () => {
    const before = await stage(docs);
    inFlight.add(id);
    try {
      return await insert();
    } catch (err) {
      if (before.staged) await restore(before.prev, before.staged).catch((e: unknown) => log.warn({ err: (e as Error).message, state: id }, 'learner state: not restored; heals on read'));
      throw err;
    } finally {
      inFlight.delete(id);
    }
  });
}

/** After a lost race, waits (longer each time) for the other writer's replace to land, or gives up. */
async function afterLostRace(attempt: number, id: string): Promise<void> {
  if (attempt >= 6) throw new Error(`learner state ${id}: too many concurrent writers`);
  await new Promise((r) => setTimeout(r, 5 * 2 ** attempt * (0.5 + Math.random())));
}

/** Writes the applied state; returns what to put back if the insert fails. */
async function stage(docs: StoredStatement[]): Promise<{ prev: LearnerStateDoc | null; staged?: LearnerStateDoc }> {
  const k = keyOf(docs[0]);
  for (let attempt = 0; ; attempt++) {
    const stored = await storedState(stateId(k));
    const prev = stored ? await confirmed(stored) : null;
    const { state, applied } = applyStatements(prev ?? emptyState(k, docs[0].issuer), docs);
    if (!applied.length) return { prev };
    if (!prev) await listLearner(k);
    const next = { ...state, v: (prev?.v ?? 0) + 1, unconfirmed: [...(prev?.unconfirmed ?? []), ...applied.map((d) => d._id)], writer: { process: PROCESS, at: new Date() }, updatedAt: new Date() };
    if (await save(stored, next)) return { prev: stored, staged: next };
    await afterLostRace(attempt, stateId(k));
  }
}

async function restore(prev: LearnerStateDoc | null, staged: LearnerStateDoc): Promise<void> {
  if (!(await save(staged, prev))) throw new Error('another writer changed the state since');
}

/** Applies statements already in the log (bulk writes, rebuilds): confirmed at once. */
export async function applyConfirmed(docs: StoredStatement[]): Promise<void> {
  const k = keyOf(docs[0]);
  await serially(stateId(k), async () => {
    for (let attempt = 0; ; attempt++) {
      const stored = await storedState(stateId(k));
      const { state, applied } = applyStatements(stored ?? emptyState(k, docs[0].issuer), docs);
      if (!applied.length) return;
      if (!stored) await listLearner(k);
      if (await save(stored, { ...state, v: (stored?.v ?? 0) + 1, updatedAt: new Date() })) return;
      await afterLostRace(attempt, stateId(k));
    }
  });
}
