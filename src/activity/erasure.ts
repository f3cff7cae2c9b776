import type mongoose from 'mongoose';
import { deleteByIdRanges } from '../db/expiry_buckets.js';
import { log } from '../log.js';
import { statements } from './model.js';
import { allStateCollections, courseListId, courseLearnerLists } from './state_store.js';

/** Another area's part of erasing a learner (its derived data); resolves when that data is gone. */
export type ErasureHook = (tenantId: string, sub: string) => Promise<unknown> | unknown;

const hooks: ErasureHook[] = [];

/** Areas that keep learner-derived data register here at import time. */
export function onLearnerErased(fn: ErasureHook): void {
  hooks.push(fn);
}

/**
 * Finds documents by a filter (one streamed pass, ids only) and deletes them by `_id` in batches:
 * one `deleteMany` over more than ~32k documents fails on FerretDB v1, a batch of `_id` deletes
 * always completes. Returns how many were deleted.
 */
async function deleteInBatches(coll: mongoose.mongo.Collection<{ _id: string }>, filter: Record<string, unknown>): Promise<number> {
  const ids: string[] = [];
  for await (const d of coll.find(filter, { projection: { _id: 1 }, batchSize: 5000 })) ids.push(d._id);
  return deleteByIdRanges(coll.collectionName, ids, filter);
}

/**
 * Erases a learner's statements in every course of the tenant, their learner states, then every
 * registered area's derived data. Every hook runs even when one fails; any failure is rethrown so
 * the caller knows the erasure is incomplete (it is safe to repeat). Returns the statements removed.
 */
export async function eraseLearner(tenantId: string, sub: string): Promise<number> {
  if (!tenantId || !sub) throw new Error('eraseLearner needs both tenantId and sub; refusing to run unscoped');
  const deletedCount = await deleteInBatches(statements() as never, { tenantId, sub });
  const courses = new Set<string>();
  for (const shard of allStateCollections()) {
    for await (const s of shard.find({ tenantId, sub }, { projection: { courseId: 1 } })) courses.add(s.courseId);
    await deleteInBatches(shard as never, { tenantId, sub });
  }
  for (const courseId of courses) await courseLearnerLists().updateOne({ _id: courseListId(tenantId, courseId) }, { $pull: { subs: sub } });
  const results = await Promise.allSettled(hooks.map(async (hook) => hook(tenantId, sub)));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length) {
    log.error({ tenantId, sub, statements: deletedCount, failed: failed.map((f) => String(f.reason)) }, 'learner erasure incomplete');
    throw new AggregateError(failed.map((f) => f.reason), `erasing learner ${sub}: ${failed.length} of ${hooks.length} erasure hooks failed`);
  }
  log.info({ tenantId, sub, statements: deletedCount, hooks: hooks.length }, 'learner erased');
  return deletedCount;
}
