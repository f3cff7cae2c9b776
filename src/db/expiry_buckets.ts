import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { log } from '../log.js';

/**
 * Expiry without scanning every minute. On FerretDB v1 only an insert and a find by a single
 * `_id` are fast: a delete-by-query decodes the whole collection, and so does every update or
 * delete, even by `_id`. So a registered collection records the ids it writes, insert-only, in
 * bucket documents keyed by the UTC day they were written:
 *   `<collection>/<day>/slot/<k>`  claimed by one process for that day (an insert a duplicate
 *                                  key refuses is the atomic claim)
 *   `<collection>/<day>/<k>/<n>`   that process's n-th write of the day: the ids it wrote
 * and one cursor per collection (`wf_expiry_cursors`) says the oldest day not yet expired. The
 * timer reads the cursor by `_id`; only when that day is past its lifetime does it read the day's
 * buckets by `_id`, delete their ids (by `_id` ranges, see deleteByIdRanges), then the buckets,
 * and move the cursor on. An idle timer costs one `_id` read per collection.
 */
/** Documents per delete: under FerretDB's ~32k limit with room to spare (a test lowers it to see several runs). */
export const deleteBatch = { size: 20_000 };
/** At most this many days are expired per collection per run, so one run stays short. */
const DAYS_PER_RUN = 3;
/** A process stops reading a slot's buckets after this many missing in a row (a failed write leaves a gap). */
const GAP = 20;
const DAY_MS = 86_400_000;

interface BucketRule {
  collection: string;
  /** The date field the day comes from: a delete never touches a document written after the day. */
  field: string;
  maxAgeSeconds: number;
}
const rules = new Map<string, BucketRule>();
const buckets = () => mongoose.connection.collection<{ _id: string; ids?: string[] }>('wf_expiry_buckets');
const cursors = () => mongoose.connection.collection<{ _id: string; day: string }>('wf_expiry_cursors');
const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

/** Registers a collection whose documents live `maxAgeSeconds` after the day they were written; returns a setter for that age. */
export function addBucketedExpiry(collection: string, field: string, maxAgeSeconds: number): (seconds: number) => void {
  const rule = { collection, field, maxAgeSeconds };
  rules.set(collection, rule);
  return (seconds) => void (rule.maxAgeSeconds = seconds);
}

export const utcDay = (d: Date) => d.toISOString().slice(0, 10);
const nextDay = (day: string) => utcDay(new Date(Date.parse(day) + DAY_MS));

/** This process's slot and next bucket number per collection and day; the oldest day it has made sure the cursor covers. */
const slots = new Map<string, Promise<{ k: number; n: number }>>();
const covered = new Map<string, string>();
const PROCESS = randomUUID();

async function claimSlot(collection: string, day: string): Promise<{ k: number; n: number }> {
  for (let k = 0; ; k++) {
    try {
      await buckets().insertOne({ _id: `${collection}/${day}/slot/${k}`, process: PROCESS } as never);
      return { k, n: 0 };
    } catch (err) {
      if (!isDuplicate(err)) throw err;
    }
  }
}

/** The cursor must not be later than any day that has buckets. */
async function coverDay(collection: string, day: string): Promise<void> {
  const known = covered.get(collection);
  if (known !== undefined && known <= day) return;
  const cursor = await cursors().findOne({ _id: collection });
  if (!cursor) {
    try {
      await cursors().insertOne({ _id: collection, day });
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      return coverDay(collection, day);
    }
  } else if (cursor.day > day) await cursors().updateOne({ _id: collection }, { $set: { day } });
  covered.set(collection, known === undefined || day < known ? day : known);
}

/** Records ids written at `at` so they expire with that day. Call before writing them: an id never written is simply not found. */
export async function recordExpiring(collection: string, ids: string[], at: Date): Promise<void> {
  if (!ids.length) return;
  const day = utcDay(at);
  const key = `${collection}/${day}`;
  if (!slots.has(key)) {
    if (slots.size > 50) slots.clear();
    slots.set(key, claimSlot(collection, day));
  }
  const slot = await slots.get(key)!.catch((err: unknown) => {
    slots.delete(key);
    throw err;
  });
  await coverDay(collection, day);
  await buckets().insertOne({ _id: `${key}/${slot.k}/${slot.n++}`, ids });
}

/** Deletes a few documents by `_id` (`$in`: FerretDB v1 compares each document with every id, so keep lists short). */
export async function deleteByIds(collection: string, ids: readonly unknown[]): Promise<number> {
  if (!ids.length) return 0;
  return (await mongoose.connection.collection(collection).deleteMany({ _id: { $in: ids } } as never)).deletedCount;
}

/**
 * Deletes many documents in batches that always complete: FerretDB v1 fails one delete of more
 * than ~32k documents, and a long `$in` costs a comparison per id per document. So the sorted ids
 * are cut into runs of `deleteBatch.size` and each run is deleted as an `_id` range confined by `within`,
 * which must match only documents that may go (e.g. the erased learner's): one pass per run.
 */
export async function deleteByIdRanges(collection: string, ids: readonly string[], within: Record<string, unknown>): Promise<number> {
  const sorted = [...ids].sort();
  let removed = 0;
  for (let i = 0; i < sorted.length; i += deleteBatch.size) {
    const run = sorted.slice(i, i + deleteBatch.size);
    removed += (await mongoose.connection.collection(collection).deleteMany({ ...within, _id: { $gte: run[0], $lte: run[run.length - 1] } } as never)).deletedCount;
  }
  return removed;
}

async function expireDay({ collection, field }: BucketRule, day: string): Promise<number> {
  const read: string[] = [];
  const ids: string[] = [];
  for (let k = 0; await buckets().findOne({ _id: `${collection}/${day}/slot/${k}` }); k++) {
    read.push(`${collection}/${day}/slot/${k}`);
    for (let n = 0, missing = 0; missing < GAP; n++) {
      const bucket = await buckets().findOne({ _id: `${collection}/${day}/${k}/${n}` });
      if (!bucket) {
        missing++;
        continue;
      }
      missing = 0;
      read.push(bucket._id);
      ids.push(...(bucket.ids ?? []));
    }
  }
  // Nothing written after this day is in range of the delete; what was written before it expired already.
  const removed = await deleteByIdRanges(collection, ids, { [field]: { $lt: new Date(Date.parse(day) + DAY_MS) } });
  for (let i = 0; i < read.length; i += 500) await deleteByIds('wf_expiry_buckets', read.slice(i, i + 500));
  return removed;
}

/** The timer's part: every registered collection's days past their lifetime, oldest first. */
export async function expireBuckets(now = new Date()): Promise<number> {
  let removed = 0;
  for (const r of rules.values()) {
    const cursor = await cursors().findOne({ _id: r.collection });
    if (!cursor) continue;
    let day = cursor.day;
    // A day expires once its last moment is older than the lifetime.
    for (let i = 0; i < DAYS_PER_RUN && Date.parse(day) + DAY_MS <= now.getTime() - r.maxAgeSeconds * 1000; i++) {
      const n = await expireDay(r, day);
      removed += n;
      if (n) log.info({ collection: r.collection, day, removed: n }, 'expired');
      for (const key of slots.keys()) if (key === `${r.collection}/${day}`) slots.delete(key);
      day = nextDay(day);
      await cursors().updateOne({ _id: r.collection }, { $set: { day } });
      covered.delete(r.collection);
    }
  }
  return removed;
}
