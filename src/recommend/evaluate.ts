import type { Dataset } from './data/interactions.js';
import { causalEpisodes } from './data/episodes.js';
import { accuracy, auc } from './metrics.js';
import type { Recommender } from './models/types.js';

export interface Metrics {
  /** Every response, predicted from the earlier responses in its chunk (DKVMN protocol). */
  auc: number;
  /** Few-shot protocol: responses at learner positions 1..5 and 1..10, and first attempts at each id. */
  aucFirst5: number;
  aucFirst10: number;
  aucFirstAttempt: number;
  accuracy: number;
  predictions: number;
  predictionsPerSecond: number;
}

/** Runs the standard and few-shot protocols on a dataset; the model never sees a response before predicting it. */
export async function evaluate(model: Recommender, dataset: Dataset): Promise<Metrics> {
  const episodes = causalEpisodes(dataset);
  const started = performance.now();
  const predictions = await model.predict(episodes);
  const seconds = (performance.now() - started) / 1000;
  const all = { y: [] as number[], p: [] as number[] };
  const first5 = { y: [] as number[], p: [] as number[] };
  const first10 = { y: [] as number[], p: [] as number[] };
  const firstAttempt = { y: [] as number[], p: [] as number[] };
  const seenByLearner = new Map<string, Set<string>>();
  episodes.forEach((e, n) => {
    const seen = seenByLearner.get(e.learnerId) ?? new Set<string>();
    seenByLearner.set(e.learnerId, seen);
    e.query.forEach((item, i) => {
      const y = e.queryCorrect?.[i] ? 1 : 0;
      const p = predictions[n][i];
      const position = e.offset + i;
      all.y.push(y), all.p.push(p);
      if (position < 5) first5.y.push(y), first5.p.push(p);
      if (position < 10) first10.y.push(y), first10.p.push(p);
      if (!seen.has(item.itemId)) firstAttempt.y.push(y), firstAttempt.p.push(p);
      seen.add(item.itemId);
    });
  });
  return {
    auc: auc(all.y, all.p),
    aucFirst5: auc(first5.y, first5.p),
    aucFirst10: auc(first10.y, first10.p),
    aucFirstAttempt: auc(firstAttempt.y, firstAttempt.p),
    accuracy: accuracy(all.y, all.p),
    predictions: all.y.length,
    predictionsPerSecond: all.y.length / Math.max(seconds, 1e-9),
  };
}

/** Overall AUC only, for early stopping on the validation learners. */
export async function validationAuc(model: Recommender, dataset: Dataset): Promise<number> {
  const episodes = causalEpisodes(dataset);
  const predictions = await model.predict(episodes);
  const y: number[] = [];
  const p: number[] = [];
  episodes.forEach((e, n) => e.queryCorrect?.forEach((c, i) => (y.push(c ? 1 : 0), p.push(predictions[n][i]))));
  return auc(y, p);
}
