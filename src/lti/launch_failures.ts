import mongoose, { Schema } from 'mongoose';
import { addExpiryRule } from '../db/expiry.js';
import { log } from '../log.js';
import { launchReason, metrics } from '../web/metrics.js';

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

// Counts not yet written, and the one write in progress: FerretDB's $inc is not atomic, so this
// process writes one counter at a time, and a flood's refusals coalesce into few writes.
const unsaved = new Map<string, { hour: Date; reason: string; n: number }>();
let saving: Promise<void> = Promise.resolve();

async function saveCounts(): Promise<void> {
  const batch = [...unsaved.entries()];
  unsaved.clear();
  for (const [id, c] of batch) {
    const add = () => LaunchFailureCountModel.updateOne({ _id: id }, { $inc: { count: c.n }, $setOnInsert: { hour: c.hour, reason: c.reason } }, { upsert: true });
    try {
      // Another process may insert the same counter first: then add to it.
      await add().catch((err: { code?: number }) => (err.code === 11000 ? add() : Promise.reject(err)));
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not count a launch failure');
    }
  }
}

export async function recordLaunchFailure(reason: string, message: string, issuer?: string): Promise<void> {
  metrics.launches.inc({ outcome: 'refused', reason });
  log.warn({ reason, issuer, detail: message }, 'launch refused');
  const hour = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS);
  // Some reasons name what ltijs said: counted from the fixed set, so no request adds a counter.
  const r = launchReason(reason);
  const id = `${hour.toISOString()}|${r}`;
  const c = unsaved.get(id) ?? { hour, reason: r, n: 0 };
  c.n++;
  unsaved.set(id, c);
  saving = saving.then(saveCounts);
  await saving;
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
