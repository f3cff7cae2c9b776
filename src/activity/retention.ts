import { addBucketedExpiry, recordExpiring } from '../db/expiry_buckets.js';
import type { StoredStatement } from './model.js';

/**
 * Statements are purged RETENTION_DAYS after the day they were stored. FerretDB v1 rejects TTL
 * indexes and a delete-by-query scans the whole log, so every write records its statement ids in
 * that day's expiry buckets and the shared timer deletes them by `_id` when the day is due.
 * `setRetentionDays` sets the age from the configuration when the tool starts.
 */
let days = 730;
const setAge = addBucketedExpiry('wf_statements', 'stored', days * 86_400);

export function setRetentionDays(d: number): void {
  days = d;
  setAge(d * 86_400);
}

/** Statements stored before this are gone (or about to go): learner states leave them out too. */
export const retentionCutoff = (now = Date.now()) => new Date(now - days * 86_400_000);

/** Records newly written statements in the expiry bucket of the day they were stored. */
export async function recordForRetention(docs: Pick<StoredStatement, '_id' | 'stored'>[]): Promise<void> {
  const byDay = new Map<string, { at: Date; ids: string[] }>();
  for (const d of docs) {
    const day = d.stored.toISOString().slice(0, 10);
    const entry = byDay.get(day) ?? { at: d.stored, ids: [] };
    entry.ids.push(d._id);
    byDay.set(day, entry);
  }
  for (const { at, ids } of byDay.values()) await recordExpiring('wf_statements', ids, at);
}
