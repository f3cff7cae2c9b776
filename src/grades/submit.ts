import { platformKey } from '../lti/tenancy.js';
import {
  deliveries,
  slots,
  type Delivery,
  type GradeSlot,
  type GradeTarget,
  type ScoreToSend,
} from './model.js';
import { markDue } from './due.js';
import { listLinks, slotOf } from './course_links.js';
import { logDelivery } from './slot_log.js';
import { nudgeWorkers } from './wake.js';

/** A grade change, as the producer (the player's hook, a retry, a test or the bench) states it. */
export interface GradeChange extends GradeTarget {
  score: ScoreToSend;
  /** When the grade changed; default now. Of a slot's changes, the latest event wins. */
  eventAt?: Date;
}

export { slotOf };

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

const common = (c: GradeChange) => ({
  slot: slotOf({ ...c, resourceLinkId: c.link.resourceLinkId }),
  tenantId: c.tenantId,
  courseId: c.courseId,
  platformKey: platformKey(c.issuer, c.clientId),
  issuer: c.issuer,
  clientId: c.clientId,
  sub: c.sub,
  ...(c.name ? { name: c.name } : {}),
  link: c.link,
  score: c.score,
});

/**
 * Puts a grade change in the outbox: inserts only, so it never races the worker — the course's
 * list of graded links (a new column only), the slot's log entry naming the delivery, the delivery, and the
 * due entry that wakes a worker; each is in place before what finds it by it. The worker
 * coalesces: it sends only a slot's latest change, and drops changes older than, or equal to,
 * what the LMS already holds. Two changes of a slot in the same millisecond get distinct event
 * times. Returns the delivery id.
 */
export async function submitGrade(c: GradeChange): Promise<string> {
  const base = common(c);
  await listLinks(c, [c.link.resourceLinkId]);
  const eventMs = (c.eventAt ?? new Date()).getTime();
  const now = new Date();
  for (let bump = 0; bump < 100; bump++) {
    const eventAt = new Date(eventMs + bump);
    const doc: Delivery = {
      _id: `${base.slot}@${eventAt.getTime()}`,
      ...base,
      eventAt,
      state: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    };
    await logDelivery(base.slot, doc._id);
    try {
      await deliveries().insertOne(doc);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      continue;
    }
    // Should this fail, the delivery waits for the slot's next change or a worker's start.
    await markDue(base.slot);
    nudgeWorkers();
    return doc._id;
  }
  throw new Error(`could not queue a grade for slot ${base.slot}: 100 changes in the same instant`);
}

/**
 * Records why a learner gets no grade (LMS test user, teacher preview), so the teacher sees it.
 * Such a slot never has deliveries, so nothing else writes its record.
 */
export async function recordSkipped(c: GradeChange, reason: string): Promise<void> {
  const { slot, ...rest } = common(c);
  await listLinks(c, [c.link.resourceLinkId]);
  const doc: GradeSlot = { _id: slot, ...rest, state: 'skipped', reason, attempts: 0, updatedAt: new Date() };
  await slots().replaceOne({ _id: slot }, doc, { upsert: true });
}
