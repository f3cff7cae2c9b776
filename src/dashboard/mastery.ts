/**
 * Observed mastery: what the learner's own answers show, never a model's guess, so a teacher can
 * check every number against the timeline. A skill's evidence is its most recent answers.
 */
export const RECENT_ANSWERS = 5;
/** Fewer answers than this never count as mastered, however they went. */
export const MIN_ANSWERS_FOR_MASTERY = 3;
export const DEFAULT_MASTERY_THRESHOLD = 0.8;

export interface Answer {
  itemId: string;
  skills: string[];
  correct: boolean;
  at: Date;
}

export interface SkillEvidence {
  attempts: number;
  correct: number;
  /** Share correct of the last RECENT_ANSWERS answers (or fewer, when there are fewer). */
  recentShare: number;
  recentCount: number;
  /** Wrong answers in a row at the end. */
  wrongStreak: number;
  mastered: boolean;
}

/** Evidence per skill from a learner's answers in time order. */
export function skillEvidence(answers: readonly Answer[], thresholdOf: (skill: string) => number = () => DEFAULT_MASTERY_THRESHOLD): Map<string, SkillEvidence> {
  const bySkill = new Map<string, boolean[]>();
  for (const a of answers) {
    for (const s of a.skills) {
      const list = bySkill.get(s) ?? [];
      list.push(a.correct);
      bySkill.set(s, list);
    }
  }
  const out = new Map<string, SkillEvidence>();
  for (const [skill, results] of bySkill) {
    const recent = results.slice(-RECENT_ANSWERS);
    const recentShare = recent.filter(Boolean).length / recent.length;
    let wrongStreak = 0;
    for (let i = results.length - 1; i >= 0 && !results[i]; i--) wrongStreak++;
    out.set(skill, {
      attempts: results.length,
      correct: results.filter(Boolean).length,
      recentShare,
      recentCount: recent.length,
      wrongStreak,
      mastered: results.length >= MIN_ANSWERS_FOR_MASTERY && recentShare >= thresholdOf(skill),
    });
  }
  return out;
}

/** Colour bucket 0–5 for the heatmap: 0 is "no answers yet", 5 is "mastered". */
export function heatLevel(e: SkillEvidence | undefined): number {
  if (!e) return 0;
  if (e.mastered) return 5;
  return 1 + Math.min(3, Math.floor(e.recentShare * 4));
}
