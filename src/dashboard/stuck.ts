import type { SkillEvidence } from './mastery.js';

/**
 * Why a learner looks stuck, in rules a teacher can check against the timeline. Each reason is
 * an i18n key with its parameters, so the page says it in the teacher's language.
 */
export interface StuckReason {
  key: 'dashboard.stuck.wrongStreak' | 'dashboard.stuck.lowSuccess' | 'dashboard.stuck.inactive';
  params: Record<string, string | number>;
  /** The skill it is about, when there is one. */
  skill?: string;
}

export const WRONG_STREAK = 3;
export const LOW_SUCCESS_ATTEMPTS = 6;
export const LOW_SUCCESS_SHARE = 0.4;
export const INACTIVE_DAYS = 7;

export function stuckReasons(
  evidence: ReadonlyMap<string, SkillEvidence>,
  lastActive: Date,
  now: Date,
  skillName: (id: string) => string,
): StuckReason[] {
  const reasons: StuckReason[] = [];
  for (const [skill, e] of evidence) {
    if (e.mastered) continue;
    if (e.wrongStreak >= WRONG_STREAK) {
      reasons.push({ key: 'dashboard.stuck.wrongStreak', skill, params: { n: e.wrongStreak, skill: skillName(skill) } });
    } else if (e.attempts >= LOW_SUCCESS_ATTEMPTS && e.correct / e.attempts < LOW_SUCCESS_SHARE) {
      reasons.push({
        key: 'dashboard.stuck.lowSuccess',
        skill,
        params: { n: e.attempts, pct: Math.round((100 * e.correct) / e.attempts), skill: skillName(skill) },
      });
    }
  }
  const idleDays = Math.floor((now.getTime() - lastActive.getTime()) / 864e5);
  const unfinished = [...evidence.values()].some((e) => !e.mastered);
  if (idleDays >= INACTIVE_DAYS && unfinished) reasons.push({ key: 'dashboard.stuck.inactive', params: { days: idleDays } });
  return reasons;
}
