import { log } from '../log.js';
import { statements } from './model.js';

/** Another area's part of erasing a learner (its derived data); resolves when that data is gone. */
export type ErasureHook = (tenantId: string, sub: string) => Promise<unknown> | unknown;

const hooks: ErasureHook[] = [];

/** Areas that keep learner-derived data register here at import time. */
export function onLearnerErased(fn: ErasureHook): void {
  hooks.push(fn);
}

/**
 * Erases a learner's statements in every course of the tenant, then every registered area's
 * derived data. Every hook runs even when one fails; any failure is rethrown so the caller
 * knows the erasure is incomplete (it is safe to repeat). Returns the statements removed.
 */
export async function eraseLearner(tenantId: string, sub: string): Promise<number> {
  if (!tenantId || !sub) throw new Error('eraseLearner needs both tenantId and sub; refusing to run unscoped');
  const { deletedCount } = await statements().deleteMany({ tenantId, sub });
  const results = await Promise.allSettled(hooks.map(async (hook) => hook(tenantId, sub)));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length) {
    log.error({ tenantId, sub, statements: deletedCount, failed: failed.map((f) => String(f.reason)) }, 'learner erasure incomplete');
    throw new AggregateError(failed.map((f) => f.reason), `erasing learner ${sub}: ${failed.length} of ${hooks.length} erasure hooks failed`);
  }
  log.info({ tenantId, sub, statements: deletedCount, hooks: hooks.length }, 'learner erased');
  return deletedCount;
}
