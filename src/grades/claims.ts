import { claims, deliveries, type Delivery } from './model.js';
import { markRemoved } from './slot_log.js';

/**
 * Owning attempt N of a delivery: insert `{_id: deliveryId#N}`; the unique `_id` index lets one
 * worker succeed. A claim older than the lease belongs to a worker that died mid-attempt: the next
 * worker takes over under `deliveryId#N~1` (and so on), again by an insert only one can make.
 */
export const DEFAULT_LEASE_MS = 3 * 60_000;

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

export async function claimAttempt(
  d: Delivery,
  worker: string,
  leaseMs = DEFAULT_LEASE_MS,
): Promise<boolean> {
  const base = `${d._id}#${d.attempts}`;
  for (let takeover = 0; takeover <= 3; takeover++) {
    const _id = takeover ? `${base}~${takeover}` : base;
    try {
      await claims().insertOne({ _id, delivery: d._id, worker, at: new Date() });
      if (!takeover) return true;
      // Taking over a dead worker's attempt: only if the delivery really did not move on.
      const now = await deliveries().findOne({ _id: d._id });
      return now?.attempts === d.attempts;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const held = await claims().findOne({ _id });
      if (!held || Date.now() - held.at.getTime() < leaseMs) return false;
    }
  }
  return false;
}

/** Removes a delivery that will never be sent (coalesced, stale, or replaced by a retry) — under a claim. */
export async function dropDelivery(d: Delivery, worker: string): Promise<boolean> {
  if (!(await claimAttempt(d, worker))) return false;
  await deliveries().deleteOne({ _id: d._id });
  markRemoved(d._id);
  return true;
}
