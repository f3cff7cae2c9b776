import mongoose, { Schema } from 'mongoose';
import { addExpiryRule } from '../db/expiry.js';
import { log } from '../log.js';
import { metrics } from '../web/metrics.js';

/**
 * Every refused launch is logged and counted by reason for /metrics, and counted per hour and
 * reason in the database for the admin health page. Refusals are anonymous: one counter document
 * per hour and reason (not one per refusal) keeps a flood of them from growing the collection,
 * and counters are kept two days (the page shows the last 24 hours).
 */
interface LaunchFailureCount {
  _id: string;
  hour: Date;
  reason: string;
  count: number;
}
const LaunchFailureCountModel = mongoose.model<LaunchFailureCount>(
  'LaunchFailureCount',
  new Schema<LaunchFailureCount>({ _id: String, hour: Date, reason: String, count: Number }, { versionKey: false }),
  'wf_launch_failure_counts',
);
addExpiryRule({ collection: 'wf_launch_failure_counts', field: 'hour', maxAgeSeconds: 48 * 3600 });
// One document per refusal was kept a week before the counters: those expire as they used to.
addExpiryRule({ collection: 'wf_launch_failures', field: 'at', maxAgeSeconds: 7 * 24 * 3600 });

const HOUR_MS = 3600 * 1000;
/** Reasons come from code, but some name what ltijs said: keep them short and plain. */
const plainReason = (reason: string) => reason.replace(/[^\w]/g, '_').slice(0, 64) || 'UNKNOWN';

export async function recordLaunchFailure(reason: string, message: string, issuer?: string): Promise<void> {
  metrics.launches.inc({ outcome: 'refused', reason });
  log.warn({ reason, issuer, detail: message }, 'launch refused');
  const hour = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS);
  const r = plainReason(reason);
  const count = () => LaunchFailureCountModel.updateOne({ _id: `${hour.toISOString()}|${r}` }, { $inc: { count: 1 }, $setOnInsert: { hour, reason: r } }, { upsert: true });
  try {
    // Two first refusals of an hour may race to insert the counter: the loser counts again.
    await count().catch((err: { code?: number }) => (err.code === 11000 ? count() : Promise.reject(err)));
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'could not count a launch failure');
  }
}

export async function recentLaunchFailures(sinceHours = 24): Promise<{ reason: string; count: number }[]> {
  const since = new Date(Math.floor((Date.now() - sinceHours * HOUR_MS) / HOUR_MS) * HOUR_MS);
  const rows = await LaunchFailureCountModel.aggregate<{ _id: string; count: number }>([
    { $match: { hour: { $gte: since } } },
    { $group: { _id: '$reason', count: { $sum: '$count' } } },
    { $sort: { count: -1 } },
  ]);
  return rows.map((r) => ({ reason: r._id, count: r.count }));
}
