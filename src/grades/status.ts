import type { CourseScope } from '../activity/index.js';
import { deliveries, type Delivery } from './model.js';
import { submitGrade } from './submit.js';

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
}

function summarise(docs: Delivery[]): LearnerGrade | undefined {
  const live = docs.filter((d) => d.state !== 'superseded' && d.state !== 'skipped');
  const latest = live.at(-1) ?? docs.filter((d) => d.state === 'skipped').at(-1);
  if (!latest) return undefined;
  const sent = docs.filter((d) => d.state === 'sent').at(-1);
  return {
    sub: latest.sub,
    ...(latest.name ? { name: latest.name } : {}),
    resourceLinkId: latest.link.resourceLinkId,
    label: latest.link.label,
    state: latest.state as VisibleState,
    ...(latest.reason && latest.state !== 'sent' ? { reason: latest.reason } : {}),
    score: {
      given: latest.score.given,
      maximum: latest.score.maximum,
      activityProgress: latest.score.activityProgress,
    },
    ...(sent
      ? {
          lastSent: {
            given: sent.score.given,
            maximum: sent.score.maximum,
            timestamp: sent.timestamp!,
            at: sent.sentAt!,
          },
        }
      : {}),
    attempts: latest.attempts,
    ...(latest.state === 'pending' ? { nextAttemptAt: latest.nextAttemptAt } : {}),
    updatedAt: latest.updatedAt,
  };
}

/** Every learner's grade state in a course (optionally one learner), by name then column. */
export async function courseGrades(scope: CourseScope, sub?: string): Promise<LearnerGrade[]> {
  const docs = await deliveries()
    .find({ tenantId: scope.tenantId, courseId: scope.courseId, ...(sub ? { sub } : {}) })
    .sort({ eventAt: 1 })
    .toArray();
  const bySlot = new Map<string, Delivery[]>();
  for (const d of docs) bySlot.set(d.slot, [...(bySlot.get(d.slot) ?? []), d]);
  return [...bySlot.values()]
    .map(summarise)
    .filter((g): g is LearnerGrade => g !== undefined)
    .sort((a, b) => (a.name ?? a.sub).localeCompare(b.name ?? b.sub) || a.label.localeCompare(b.label));
}

/** Sends a learner's failed grades again, as new deliveries; returns how many were queued. */
export async function retryLearnerGrades(scope: CourseScope, sub: string): Promise<number> {
  const docs = await deliveries()
    .find({ tenantId: scope.tenantId, courseId: scope.courseId, sub })
    .sort({ eventAt: 1 })
    .toArray();
  const latestPerSlot = new Map<string, Delivery>();
  for (const d of docs) if (d.state !== 'superseded' && d.state !== 'skipped') latestPerSlot.set(d.slot, d);
  let queued = 0;
  for (const d of latestPerSlot.values()) {
    if (d.state !== 'failed') continue;
    const { tenantId, courseId, issuer, clientId, name, link, score } = d;
    await submitGrade({ tenantId, courseId, issuer, clientId, sub, name, link, score, force: true });
    queued++;
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
