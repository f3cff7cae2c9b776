import type { Answer } from './mastery.js';

/**
 * Predicted mastery per skill: the active recommender model's mean chance of a correct next answer
 * over the skill's items, given the learner's answers so far. The recommender is loaded lazily, so
 * pages that never ask for predictions never load TensorFlow.js; without an active model the page
 * says so instead of guessing.
 */
export type Predicted = { available: false } | { available: true; model: string; bySkill: Map<string, number> };

export async function predictedMastery(answers: readonly Answer[], skillsOfItem: ReadonlyMap<string, string[]>): Promise<Predicted> {
  const { refreshActiveModel, predict } = await import('../recommend/predict.js');
  const model = await refreshActiveModel().catch(() => undefined);
  if (!model) return { available: false };
  const candidates = [...skillsOfItem].map(([itemId, skills]) => ({ itemId, skills }));
  if (!candidates.length) return { available: true, model, bySkill: new Map() };
  const p = await predict(
    answers.map((a) => ({ itemId: a.itemId, skills: a.skills, correct: a.correct })),
    candidates,
  );
  const sums = new Map<string, { total: number; n: number }>();
  candidates.forEach((c, i) => {
    for (const s of c.skills) {
      const acc = sums.get(s) ?? { total: 0, n: 0 };
      acc.total += p[i];
      acc.n++;
      sums.set(s, acc);
    }
  });
  return { available: true, model, bySkill: new Map([...sums].map(([s, { total, n }]) => [s, total / n])) };
}
