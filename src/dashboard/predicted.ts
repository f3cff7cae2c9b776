import { log } from '../log.js';

/**
 * Predicted mastery per skill: the chance of a correct next answer that the model serving the
 * course (or the recommender's fallback) gives, averaged over the skill's items. The recommender
 * is imported lazily, so pages that never show predictions never load TensorFlow.js.
 */
/** The drill-down does not wait longer than this for predictions (a large course's first fallback fit can take seconds). */
export const PREDICTION_BUDGET_MS = 2000;

export type Predicted = { available: false } | { available: true; model: string; bySkill: Map<string, number> };

export async function predictedMastery(scope: { tenantId: string; courseId: string }, sub: string, skillsOfItem: ReadonlyMap<string, string[]>): Promise<Predicted> {
  const candidates = [...skillsOfItem.keys()];
  if (!candidates.length) return { available: false };
  try {
    const { predictForLearner } = await import('../recommend/index.js');
    let timer: NodeJS.Timeout | undefined;
    const answer = await Promise.race([
      predictForLearner({ ...scope, sub, candidates }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no predictions within ${PREDICTION_BUDGET_MS} ms`)), PREDICTION_BUDGET_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    const sums = new Map<string, { total: number; n: number }>();
    for (const { itemId, probability } of answer.predictions) {
      for (const s of skillsOfItem.get(itemId) ?? []) {
        const acc = sums.get(s) ?? { total: 0, n: 0 };
        acc.total += probability;
        acc.n++;
        sums.set(s, acc);
      }
    }
    return { available: true, model: answer.modelVersion, bySkill: new Map([...sums].map(([s, { total, n }]) => [s, total / n])) };
  } catch (err) {
    // The page still shows what the learner did; it says predictions are unavailable.
    log.warn({ err: (err as Error).message }, 'dashboard: predictions unavailable');
    return { available: false };
  }
}
