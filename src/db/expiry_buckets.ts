import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { log } from '../log.js';

/**
 * Expiry without scans (FerretDB v1 reads only a single `_id` equality without decoding the whole
 * collection, and deletes of more than ~32k documents by query fail). A collection registered here
 * records the ids it writes in bucket documents of the UTC day they were written
 * (`<collection>/<day>/<process>-<n>`, at most BUCKET_SIZE ids each), listed by one document per
 * day; one directory document per collection lists the days that have buckets. The timer reads
 * the directory by `_id`, and only for days past their lifetime reads their buckets and deletes
 * the ids in batches by `_id` (a bulk of single-`_id` deletes), then the buckets. An idle timer
 * costs one `_id` read per collection; a run that stops half-way resumes where it left off.
 */
export const BUCKET_SIZE = 1000;
const DELETE_BATCH = 1000;
/** At most this many days are expired per collection per run, so one run stays short. */
const DAYS_PER_RUN = 3;
const DAY_MS = 86_400_000;

interface BucketRule {
  collection: string;
  maxAgeSeconds: number;
}

const rules = new Map<string, BucketRule>();
const buckets = () => mongoose.connection.collection<{ _id: string; ids?: string[]; buckets?: string[]; days?: string[] }>('wf_expiry_buckets');
const PROCESS = randomUUID().slice(0, 8);
/** This process's open bucket per collection and day: its id and how many ids it holds. */
const open = new Map<string, { id: string; count: number }>();
let sequence = 0;

/** Registers a collection whose documents live `maxAgeSeconds` after the day they were written; returns a setter for that age. */
export function addBucketedExpiry(collection: string, maxAgeSeconds: number): (seconds: number) => void {
  const rule = { collection, maxAgeSeconds };
  rules.set(collection, rule);
  return (seconds) => void (rule.maxAgeSeconds = seconds);
}

export const utcDay = (d: Date) => d.toISOString().slice(0, 10);
const directoryId = (collection: string) => `${collection}/days`;
const dayId = (collection: string, day: string) => `${collection}/${day}`;

/** Records ids written at `at` so they expire with that day. Call before or after writing them: an id never written is simply not found. */
export async function recordExpiring(collection: string, ids: string[], at: Date): Promise<void> {
  if (!ids.length) return;
  const day = utcDay(at);
  const key = `${collection}\u0000${day}`;
  let bucket = open.get(key);
  if (!bucket || bucket.count + ids.length > BUCKET_SIZE) {
    bucket = { id: `${dayId(collection, day)}/${PROCESS}-${sequence++}`, count: 0 };
    // The listings first: a bucket is always findable from the directory once it holds ids.
    await buckets().updateOne({ _id: directoryId(collection) }, { $addToSet: { days: day } }, { upsert: true });
    await buckets().updateOne({ _id: dayId(collection, day) }, { $addToSet: { buckets: bucket.id } }, { upsert: true });
    if (open.size > 100) open.clear();
    open.set(key, bucket);
  }
  bucket.count += ids.length;
  await buckets().updateOne({ _id: bucket.id }, { $push: { ids: { $each: ids } } }, { upsert: true });
}

/** Deletes ids by `_id` in batches; each batch is one round trip of single-`_id` deletes. */
export async function deleteByIds(collection: string, ids: readonly unknown[]): Promise<number> {
  let removed = 0;
  for (let i = 0; i < ids.length; i += DELETE_BATCH) {
    const ops = ids.slice(i, i + DELETE_BATCH).map((_id) => ({ deleteOne: { filter: { _id } } }));
    const r = await mongoose.connection.collection(collection).bulkWrite(ops as never, { ordered: false });
    removed += r.deletedCount;
  }
  return removed;
}

async function expireDay(collection: string, day: string): Promise<number> {
  let removed = 0;
  const listing = await buckets().findOne({ _id: dayId(collection, day) });
  for (const id of listing?.buckets ?? []) {
    const bucket = await buckets().findOne({ _id: id });
    removed += await deleteByIds(collection, bucket?.ids ?? []);
    await buckets().deleteOne({ _id: id });
  }
  await buckets().deleteOne({ _id: dayId(collection, day) });
  await buckets().updateOne({ _id: directoryId(collection) }, { $pull: { days: day } });
  for (const key of open.keys()) if (key === `${collection}\u0000${day}`) open.delete(key);
  return removed;
}

/** The timer's part: every registered collection's days past their lifetime. */
export async function expireBuckets(now = new Date()): Promise<number> {
  let removed = 0;
  for (const r of rules.values()) {
    const directory = await buckets().findOne({ _id: directoryId(r.collection) });
    // A day expires once its last moment is older than the lifetime.
    const due = (directory?.days ?? []).filter((d) => Date.parse(d) + DAY_MS <= now.getTime() - r.maxAgeSeconds * 1000).sort();
    for (const day of due.slice(0, DAYS_PER_RUN)) {
      const n = await expireDay(r.collection, day);
      removed += n;
      log.info({ collection: r.collection, day, removed: n }, 'expired');
    }
  }
  return removed;
}
