import type { Dataset } from '../data/interactions.js';
import type { Episode } from '../data/episodes.js';
import type { ModelState, Recommender } from './types.js';
import { itemCounts, smoothedRate } from './walk.js';

/** Baseline: P(correct) = the item's smoothed training success rate, whatever the learner did. */
export class ItemRateModel implements Recommender {
  readonly name = 'item-rate';
  rates = new Map<string, number>();
  mean = 0.5;

  async fit(train: Dataset): Promise<void> {
    const { counts, mean } = itemCounts(train.learners);
    this.mean = mean;
    this.rates = new Map([...counts].map(([id, [c, n]]) => [id, smoothedRate(c, n, mean, 5)]));
  }

  rate(itemId: string): number {
    return this.rates.get(itemId) ?? this.mean;
  }

  async predict(episodes: Episode[]): Promise<Float32Array[]> {
    return episodes.map((e) => Float32Array.from(e.query, (q) => this.rate(q.itemId)));
  }

  state(): ModelState {
    return { model: this.name, json: { mean: this.mean, rates: Object.fromEntries(this.rates) }, tensors: [], weights: new Float32Array() };
  }

  static fromState(state: ModelState): ItemRateModel {
    const m = new ItemRateModel();
    m.mean = state.json.mean as number;
    m.rates = new Map(Object.entries(state.json.rates as Record<string, number>));
    return m;
  }
}
