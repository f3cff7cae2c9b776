import { courseGrades, courseRoster as nrpsRoster, gradesSummary, retryLearnerGrades } from '../grades/index.js';
import type { LaunchContext } from '../lti/session.js';

/**
 * The dashboard's view of the grade outbox and the NRPS roster (grades area), shaped for the
 * pages. `{ available: false }` is an honest "not available": the LMS offered no roster, say.
 */
export type Maybe<T> = { available: false; reason?: string } | { available: true; value: T; note?: string };

export interface GradeState {
  label: string;
  state: 'sent' | 'pending' | 'failed' | 'skipped';
  /** The latest grade, in percent of the column's maximum. */
  scorePct?: number;
  /** The last score the LMS acknowledged, in percent. */
  sentPct?: number;
  reason?: string;
  at?: Date;
}

const pct = (s: { given: number; maximum: number } | undefined) => (s && s.maximum > 0 ? Math.round((100 * s.given) / s.maximum) : undefined);

export async function learnerGrades(launch: LaunchContext, sub: string): Promise<Maybe<GradeState[]>> {
  const grades = await courseGrades({ tenantId: launch.tenantId, courseId: launch.courseId }, sub);
  return {
    available: true,
    value: grades.map((g) => ({
      label: g.label,
      state: g.state,
      scorePct: pct(g.score),
      sentPct: pct(g.lastSent),
      reason: g.reason,
      at: g.lastSent?.at ?? g.updatedAt,
    })),
  };
}

/** Queues the learner's failed grades again; returns how many. */
export async function retryGrades(launch: LaunchContext, sub: string): Promise<number> {
  return retryLearnerGrades({ tenantId: launch.tenantId, courseId: launch.courseId }, sub);
}

export interface RosterMember {
  sub: string;
  name?: string;
  role?: string;
  status: string;
}

export async function courseRoster(launch: LaunchContext): Promise<Maybe<RosterMember[]>> {
  const roster = await nrpsRoster(launch);
  if (!roster.available) return { available: false, reason: roster.error };
  return {
    available: true,
    value: roster.members.map((m) => ({ sub: m.userId, name: m.name ?? ([m.givenName, m.familyName].filter(Boolean).join(' ') || undefined), role: m.role, status: m.status })),
    note: roster.stale ? roster.error : undefined,
  };
}

export interface OutboxTotals {
  pending: number;
  failed: number;
}

export async function outboxTotals(): Promise<Maybe<OutboxTotals>> {
  const platforms = await gradesSummary();
  return { available: true, value: { pending: platforms.reduce((n, p) => n + p.pending, 0), failed: platforms.reduce((n, p) => n + p.failed, 0) } };
}
