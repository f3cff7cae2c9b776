import mongoose from 'mongoose';
import { log } from '../log.js';
import { expireBuckets } from './expiry_buckets.js';

/**
 * Expiry by periodic delete: FerretDB v1 rejects TTL indexes, so nothing expires by itself. Small
 * collections use a rule (collection, date field, lifetime) run as a delete-by-query; large ones
 * record what they write in per-period buckets (expiry_buckets.ts), so the timer's work is
 * proportional to what expires, not to the collection's size.
 */
export interface ExpiryRule {
  collection: string;
  field: string;
  maxAgeSeconds: number;
}

const rules: ExpiryRule[] = [
  // ltijs's collections, with the lifetimes ltijs declares as TTL indexes (its nonce check is
  // replaced by lti/contrib/ltijs_nonces.ts, which keeps its own collection).
  { collection: 'states', field: 'createdAt', maxAgeSeconds: 600 },
  { collection: 'accesstokens', field: 'createdAt', maxAgeSeconds: 3600 },
  { collection: 'idtokens', field: 'createdAt', maxAgeSeconds: 24 * 3600 },
  { collection: 'contexttokens', field: 'createdAt', maxAgeSeconds: 24 * 3600 },
];

/** Other areas add their own rules (launch sessions, retention) at import time. */
export function addExpiryRule(rule: ExpiryRule): void {
  rules.push(rule);
}

/** Maintenance that is more than one delete-by-query (e.g. retiring rotated keys) runs on the same beat. */
const tasks: ((now: Date) => Promise<unknown>)[] = [];
export function addMaintenanceTask(task: (now: Date) => Promise<unknown>): void {
  tasks.push(task);
}

export async function runExpiry(now = new Date()): Promise<number> {
  const db = mongoose.connection.db;
  if (!db) return 0;
  for (const task of tasks) await task(now);
  let removed = await expireBuckets(now);
  for (const r of rules) {
    const cutoff = new Date(now.getTime() - r.maxAgeSeconds * 1000);
    const res = await db.collection(r.collection).deleteMany({ [r.field]: { $lt: cutoff } });
    removed += res.deletedCount ?? 0;
  }
  return removed;
}

export function startExpiryTimer(intervalMs = 60_000): () => void {
  const t = setInterval(() => {
    runExpiry().catch((err) => log.warn({ err: (err as Error).message }, 'expiry run failed'));
  }, intervalMs);
  t.unref();
  return () => clearInterval(t);
}
