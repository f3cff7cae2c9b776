import type { CourseScope } from '../activity/index.js';
import { dropDelivery } from './claims.js';
import { learnerSlots } from './course_links.js';
import { deliveries, slots, type Delivery, type GradeSlot } from './model.js';
import { listGradeOverrides, overriddenScore, type GradeOverride } from './override.js';
import { readSlot } from './slot_log.js';
import { slotOf, submitGrade } from './submit.js';

/**
 * What teachers and admins see of the outbox: per learner and gradebook column, the last score
 * the LMS acknowledged and where the latest grade stands.
 */
export type VisibleState = 'sent' | 'pending' | 'failed' | 'skipped';

export interface LearnerGrade {
  sub: string;
  name?: string;
  resourceLinkId: string;
  label: string;
  state: VisibleState;
  /** Failed: the LMS's message; pending: the last error while retrying; skipped: why not sent. */
  reason?: string;
  /** The latest grade (sent or not). */
  score: { given: number; maximum: number; activityProgress: string };
  /** The last score the LMS acknowledged. */
  lastSent?: { given: number; maximum: number; timestamp: string; at: Date };
  attempts: number;
  nextAttemptAt?: Date;
  updatedAt: Date;
  /** A teacher's grade standing over the evidence-based one (revert it by `id`). */
  override?: { id: string; score: number; maximum: number; by: { sub: string; name: string }; at: Date };
}

const overrideOf = (o: GradeOverride): LearnerGrade['override'] => ({
  id: o._id,
  score: o.score,
  maximum: o.maximum,
  by: o.by,
  at: o.createdAt,
});

function visible(slot: GradeSlot | undefined, live: Delivery[]): LearnerGrade | undefined {
  // Live work newer than what was sent decides the state; otherwise the slot record does.
  const sentAt = slot?.lastSent ? new Date(slot.lastSent.eventAt).getTime() : -1;
  const latest = live.filter((d) => d.eventAt.getTime() > sentAt).at(-1);
  const about = latest ?? slot;
  if (!about) return undefined;
  const sent = slot?.lastSent;
  return {
    sub: about.sub,
    ...(about.name ? { name: about.name } : {}),
    resourceLinkId: about.link.resourceLinkId,
    label: about.link.label,
    state: latest ? latest.state : (slot as GradeSlot).state,
    ...(about.reason ? { reason: about.reason } : {}),
    score: {
      given: about.score.given,
      maximum: about.score.maximum,
      activityProgress: about.score.activityProgress,
    },
    ...(sent
      ? {
          lastSent: {
            given: sent.score.given,
            maximum: sent.score.maximum,
            timestamp: sent.timestamp,
            at: sent.at,
          },
        }
      : {}),
    attempts: latest ? latest.attempts : (slot as GradeSlot).attempts,
    ...(latest?.state === 'pending' ? { nextAttemptAt: latest.nextAttemptAt } : {}),
    updatedAt: about.updatedAt,
  };
}

/** One learner's slot records and live deliveries (oldest event first), by `_id` through their slot list and logs. */
async function learnerOutbox(scope: CourseScope, sub: string): Promise<{ records: GradeSlot[]; live: Delivery[] }> {
  const read = await Promise.all((await learnerSlots(scope, sub)).map(readSlot));
  return {
    records: read.flatMap((r) => (r.record ? [r.record] : [])),
    live: read.flatMap((r) => r.docs).sort((a, b) => a.eventAt.getTime() - b.eventAt.getTime()),
  };
}

/** A course's slot records and live deliveries: a scan of both, for the course-wide report. */
async function courseOutbox(scope: CourseScope): Promise<{ records: GradeSlot[]; live: Delivery[] }> {
  const filter = { tenantId: scope.tenantId, courseId: scope.courseId };
  const [records, live] = await Promise.all([slots().find(filter).toArray(), deliveries().find(filter).sort({ eventAt: 1 }).toArray()]);
  return { records, live };
}

/** Every learner's grade state in a course (optionally one learner, read by `_id`), by name then column. */
export async function courseGrades(scope: CourseScope, sub?: string): Promise<LearnerGrade[]> {
  const [{ records, live }, standing] = await Promise.all([
    sub ? learnerOutbox(scope, sub) : courseOutbox(scope),
    listGradeOverrides(scope, { ...(sub ? { learner: sub } : {}), activeOnly: true }),
  ]);
  const overrideBySlot = new Map(
    standing.map((o) => [slotOf({ ...scope, sub: o.learner, resourceLinkId: o.resourceLinkId }), overrideOf(o)]),
  );
  const liveBySlot = new Map<string, Delivery[]>();
  for (const d of live) liveBySlot.set(d.slot, [...(liveBySlot.get(d.slot) ?? []), d]);
  const bySlot = new Map(records.map((r) => [r._id, r]));
  return [...new Set([...bySlot.keys(), ...liveBySlot.keys()])]
    .map((s) => {
      const grade = visible(bySlot.get(s), liveBySlot.get(s) ?? []);
      const override = overrideBySlot.get(s);
      return grade && override ? { ...grade, override } : grade;
    })
    .filter((g): g is LearnerGrade => g !== undefined)
    .sort((a, b) => (a.name ?? a.sub).localeCompare(b.name ?? b.sub) || a.label.localeCompare(b.label));
}

/** Sends a learner's failed grades again, as new deliveries; returns how many were queued. */
export async function retryLearnerGrades(scope: CourseScope, sub: string, worker = 'retry'): Promise<number> {
  const failed = (await learnerOutbox(scope, sub)).live.filter((d) => d.state === 'failed');
  const latestPerSlot = new Map(failed.map((d) => [d.slot, d]));
  let queued = 0;
  for (const d of failed) {
    // Queue a fresh copy of the latest failure; the failure itself goes (under a claim).
    if (latestPerSlot.get(d.slot) === d) {
      const { tenantId, courseId, issuer, clientId, name, link } = d;
      const score = (await overriddenScore(d.slot)) ?? d.score;
      await submitGrade({ tenantId, courseId, issuer, clientId, sub, name, link, score });
      queued++;
    }
    await dropDelivery(d, worker);
  }
  return queued;
}

export interface PlatformGradeTotals {
  platformKey: string;
  issuer: string;
  clientId: string;
  pending: number;
  failed: number;
}

/** Pending and failed deliveries per platform, for the operator. */
export async function gradesSummary(): Promise<PlatformGradeTotals[]> {
  const groups = await deliveries()
    .aggregate<{
      _id: { platformKey: string; issuer: string; clientId: string; state: 'pending' | 'failed' };
      n: number;
    }>([
      { $match: { state: { $in: ['pending', 'failed'] } } },
      {
        $group: {
          _id: { platformKey: '$platformKey', issuer: '$issuer', clientId: '$clientId', state: '$state' },
          n: { $sum: 1 },
        },
      },
    ])
    .toArray();
  const totals = new Map<string, PlatformGradeTotals>();
  for (const { _id, n } of groups) {
    const t = totals.get(_id.platformKey) ?? {
      platformKey: _id.platformKey,
      issuer: _id.issuer,
      clientId: _id.clientId,
      pending: 0,
      failed: 0,
    };
    t[_id.state] += n;
    totals.set(_id.platformKey, t);
  }
  return [...totals.values()].sort(
    (a, b) => a.issuer.localeCompare(b.issuer) || a.clientId.localeCompare(b.clientId),
  );
}
