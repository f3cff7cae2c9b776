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
  /**
   * Item-level data scores every skill row of a multi-skill attempt (the AKT paper's count): each
   * interaction's one prediction counted once per skill tag. Equals `auc` when every item has one skill.
   */
  aucPerRow: number;
  /** Responses at items the model never saw in training (NaN when there are none or no list is given). */
  aucUnseenItems: number;
  accuracy: number;
  predictions: number;
  predictionsPerSecond: number;
}

/** The item ids of a training set: the test responses at any other item are the unseen-item protocol. */
export function itemsOf(dataset: Dataset): Set<string> {
  return new Set(dataset.learners.flatMap((l) => l.interactions.map((x) => x.itemId)));
}

/**
 * Runs the standard and few-shot protocols on a dataset; the model never sees a response before predicting it.
 * `trainItems` (the items the model was fitted on) enables the unseen-item protocol.
 */
export async function evaluate(model: Recommender, dataset: Dataset, trainItems?: ReadonlySet<string>): Promise<Metrics> {
  const episodes = causalEpisodes(dataset);
  const started = performance.now();
  const predictions = await model.predict(episodes);
  const seconds = (performance.now() - started) / 1000;
  const all = new Scored();
  const first5 = new Scored();
  const first10 = new Scored();
  const firstAttempt = new Scored();
  const perRow = new Scored();
  const unseenItems = new Scored();
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
      for (let row = 0; row < Math.max(1, item.skills.length); row++) perRow.add(y, p);
      if (trainItems && !trainItems.has(item.itemId)) unseenItems.add(y, p);
    });
  });
  return {
    auc: all.auc(),
    aucFirst5: first5.auc(),
    aucFirst10: first10.auc(),
    aucFirstAttempt: firstAttempt.auc(),
    aucPerRow: perRow.auc(),
    aucUnseenItems: unseenItems.auc(),
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
