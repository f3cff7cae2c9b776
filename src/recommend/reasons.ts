import type { Decision } from './policy.js';

/**
 * A recommendation's one-line reason, built from its evidence: an i18n key (`recommend.reason.*`,
 * English and Simplified Chinese in the locale files) and the numbers and skill name it cites.
 */
export interface Reason {
  key: string;
  params: Record<string, string | number>;
}

const percent = (p: number | undefined) => Math.round((p ?? 0) * 100);

export function reasonFor(d: Decision, skillName: string): Reason {
  const base = { skill: skillName, p: percent(d.predicted) };
  switch (d.kind) {
    case 'diagnostic':
      return { key: 'recommend.reason.diagnostic', params: base };
    case 'introduce':
      return { key: 'recommend.reason.introduce', params: { skill: skillName } };
    case 'review':
      return { key: 'recommend.reason.review', params: { ...base, steps: d.stepsSinceSkill } };
    case 'explore':
      return { key: 'recommend.reason.explore', params: base };
    case 'maintain':
      return { key: 'recommend.reason.maintain', params: base };
    case 'practice':
      return d.evidence.attempts === 0
        ? { key: 'recommend.reason.firstPractice', params: base }
        : { key: 'recommend.reason.practice', params: { ...base, correct: d.evidence.correct, attempts: d.evidence.attempts } };
  }
}
