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
  const all = new Scored();
  const first5 = new Scored();
  const first10 = new Scored();
  const firstAttempt = new Scored();
  const seenByLearner = new Map<string, Set<string>>();
  episodes.forEach((e, n) => {
    const seen = seenByLearner.get(e.learnerId) ?? new Set<string>();
    seenByLearner.set(e.learnerId, seen);
    e.query.forEach((item, i) => {
      const y = e.queryCorrect?.[i] ? 1 : 0;
      const p = predictions[n][i];
      const position = e.offset + i;
      all.add(y, p);
      if (position < 5) first5.add(y, p);
      if (position < 10) first10.add(y, p);
      if (!seen.has(item.itemId)) firstAttempt.add(y, p);
      seen.add(item.itemId);
    });
  });
  return {
    auc: all.auc(),
    aucFirst5: first5.auc(),
    aucFirst10: first10.auc(),
    aucFirstAttempt: firstAttempt.auc(),
    accuracy: accuracy(all.y, all.p),
    predictions: all.y.length,
    predictionsPerSecond: all.y.length / Math.max(seconds, 1e-9),
  };
}

/** Overall AUC only, for early stopping on the validation learners. */
export async function validationAuc(model: Recommender, dataset: Dataset): Promise<number> {
  const episodes = causalEpisodes(dataset);
  const predictions = await model.predict(episodes);
  const scored = new Scored();
  episodes.forEach((e, n) => e.queryCorrect?.forEach((c, i) => scored.add(c ? 1 : 0, predictions[n][i])));
  return scored.auc();
}

/** Labels and predicted probabilities of one subset of responses. */
class Scored {
  readonly y: number[] = [];
  readonly p: number[] = [];

  add(label: number, probability: number): void {
    this.y.push(label);
    this.p.push(probability);
  }

  auc(): number {
    return auc(this.y, this.p);
  }
}
