import { createHash } from 'node:crypto';
import { platformKey } from '../lti/tenancy.js';
import { deliveries, type Delivery, type GradeLinkRef, type ScoreToSend } from './model.js';
import { nudgeWorkers } from './wake.js';

/** A grade change, as the producer (the player's hook, a retry, a test or the bench) states it. */
export interface GradeChange {
  tenantId: string;
  courseId: string;
  issuer: string;
  clientId: string;
  sub: string;
  name?: string;
  link: GradeLinkRef;
  score: ScoreToSend;
  /** Default now. An event older than the slot's latest is dropped: the latest event wins. */
  eventAt?: Date;
  /** Send even when the score equals the one already sent or pending (a teacher's retry). */
  force?: boolean;
}

export type SubmitOutcome = 'queued' | 'unchanged' | 'older';

const digest = (parts: string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 22);

/** One learner in one gradebook column (resource link) of one course. */
export const slotOf = (c: Pick<GradeChange, 'tenantId' | 'courseId' | 'sub'> & { resourceLinkId: string }) =>
  's_' + digest([c.tenantId, c.courseId, c.resourceLinkId, c.sub]);

const sameScore = (a: ScoreToSend, b: ScoreToSend) =>
  a.given === b.given &&
  a.maximum === b.maximum &&
  a.activityProgress === b.activityProgress &&
  a.gradingProgress === b.gradingProgress;

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/**
 * Puts a grade change in the outbox: one insert, the only write a producer ever makes. Coalescing
 * happens here (an older or identical grade adds nothing) and in the worker (only a slot's latest
 * pending change is sent). Two changes in the same millisecond get distinct event times.
 */
export async function submitGrade(c: GradeChange): Promise<SubmitOutcome> {
  const slot = slotOf({ ...c, resourceLinkId: c.link.resourceLinkId });
  const latest = await deliveries()
    .find({ slot, state: { $in: ['pending', 'sent', 'failed'] } })
    .sort({ eventAt: -1 })
    .limit(1)
    .next();
  let eventMs = (c.eventAt ?? new Date()).getTime();
  if (latest && latest.eventAt.getTime() >= eventMs) {
    // A stated event time older than the latest is an out-of-order event; "now" never is.
    if (c.eventAt && !c.force && latest.eventAt.getTime() > eventMs) return 'older';
    eventMs = latest.eventAt.getTime() + 1;
  }
  if (latest && !c.force && latest.state !== 'failed' && sameScore(latest.score, c.score)) return 'unchanged';
  const now = new Date();
  for (let bump = 0; bump < 100; bump++) {
    const eventAt = new Date(eventMs + bump);
    const doc: Delivery = {
      _id: `${slot}@${eventAt.getTime()}`,
      slot,
      tenantId: c.tenantId,
      courseId: c.courseId,
      platformKey: platformKey(c.issuer, c.clientId),
      issuer: c.issuer,
      clientId: c.clientId,
      sub: c.sub,
      ...(c.name ? { name: c.name } : {}),
      link: c.link,
      score: c.score,
      eventAt,
      state: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await deliveries().insertOne(doc);
      nudgeWorkers();
      return 'queued';
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  throw new Error(`could not queue a grade for slot ${slot}: 100 changes in the same instant`);
}

/**
 * Records why a learner gets no grade (LMS test user, teacher preview) so the teacher sees it.
 * One document per slot, replaced whole: the worker never touches skipped documents.
 */
export async function recordSkipped(
  c: Omit<GradeChange, 'eventAt' | 'force'>,
  reason: string,
): Promise<void> {
  const slot = slotOf({ ...c, resourceLinkId: c.link.resourceLinkId });
  const now = new Date();
  const doc: Delivery = {
    _id: `${slot}@skipped`,
    slot,
    tenantId: c.tenantId,
    courseId: c.courseId,
    platformKey: platformKey(c.issuer, c.clientId),
    issuer: c.issuer,
    clientId: c.clientId,
    sub: c.sub,
    ...(c.name ? { name: c.name } : {}),
    link: c.link,
    score: c.score,
    eventAt: now,
    state: 'skipped',
    reason,
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
  };
  await deliveries().replaceOne({ _id: doc._id }, doc, { upsert: true });
}
