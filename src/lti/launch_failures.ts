import mongoose, { Schema } from 'mongoose';
import { addExpiryRule } from '../db/expiry.js';
import { log } from '../log.js';
import { metrics } from '../web/metrics.js';

/**
 * Every refused launch is logged, counted by reason for /metrics, and kept for a week so the
 * admin health page can show recent failures by reason.
 */
interface LaunchFailure {
  reason: string;
  message: string;
  issuer?: string;
  at: Date;
}
const LaunchFailureModel = mongoose.model<LaunchFailure>(
  'LaunchFailure',
  new Schema<LaunchFailure>({ reason: String, message: String, issuer: String, at: Date }, { versionKey: false }).index({ at: -1 }),
  'wf_launch_failures',
);
addExpiryRule({ collection: 'wf_launch_failures', field: 'at', maxAgeSeconds: 7 * 24 * 3600 });

export async function recordLaunchFailure(reason: string, message: string, issuer?: string): Promise<void> {
  metrics.launches.inc({ outcome: 'refused', reason });
  log.warn({ reason, issuer, detail: message }, 'launch refused');
  try {
    await LaunchFailureModel.create({ reason, message, issuer, at: new Date() });
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'could not store launch failure');
  }
}

export async function recentLaunchFailures(sinceHours = 24): Promise<{ reason: string; count: number }[]> {
  const since = new Date(Date.now() - sinceHours * 3600 * 1000);
  const rows = await LaunchFailureModel.aggregate<{ _id: string; count: number }>([
    { $match: { at: { $gte: since } } },
    { $group: { _id: '$reason', count: { $sum: 1 } } },
    { $sort: { count: -1 } },
  ]);
  return rows.map((r) => ({ reason: r._id, count: r.count }));
}
