import type { Dataset, Interaction, ItemRef } from '../data/interactions.js';
import type { Episode } from '../data/episodes.js';
import { sigmoid } from '../metrics.js';
import type { ModelState, Recommender } from './types.js';
import { walkEpisode } from './walk.js';

/**
 * Baseline: 1PL IRT, P(correct) = σ(θ − b_item). Difficulties b are fitted jointly with training
 * learners' abilities; at prediction a learner's θ is the MAP estimate from their support set
 * under the N(μ, σ²) ability prior seen in training, so an empty support gives the average learner.
 */
export class IrtModel implements Recommender {
  readonly name = 'irt';
  difficulty = new Map<string, number>();
  abilityMean = 0;
  abilityVar = 1;

  b(itemId: string): number {
    return this.difficulty.get(itemId) ?? 0;
  }

  async fit(train: Dataset): Promise<void> {
    const abilities = train.learners.map(() => 0);
    for (let it = 0; it < 30; it++) {
      // Alternate one Newton step for every item difficulty and every learner ability.
      const g = new Map<string, [number, number]>();
      train.learners.forEach((l, n) => {
        for (const x of l.interactions) {
          const p = sigmoid(abilities[n] - this.b(x.itemId));
          const acc = g.get(x.itemId) ?? [0, 0.1];
          acc[0] += p - (x.correct ? 1 : 0);
          acc[1] += p * (1 - p);
          g.set(x.itemId, acc);
        }
      });
      for (const [id, [grad, hess]] of g) this.difficulty.set(id, this.b(id) + (grad - 0.1 * this.b(id)) / hess);
      train.learners.forEach((l, n) => (abilities[n] = mapAbility(l.interactions, (id) => this.b(id), abilities[n], 0, 4, 1)));
    }
    this.abilityMean = abilities.reduce((s, a) => s + a, 0) / abilities.length;
    this.abilityVar = Math.max(0.1, abilities.reduce((s, a) => s + (a - this.abilityMean) ** 2, 0) / abilities.length);
  }

  async predict(episodes: Episode[]): Promise<Float32Array[]> {
    return episodes.map((e) =>
      walkEpisode<{ seen: Interaction[]; theta: number }>(
        e,
        { seen: [], theta: this.abilityMean },
        (s, x) => {
          s.seen.push(x);
          s.theta = mapAbility(s.seen, (id) => this.b(id), s.theta, this.abilityMean, this.abilityVar, 3);
        },
        (s, item: ItemRef) => sigmoid(s.theta - this.b(item.itemId)),
      ),
    );
  }

  state(): ModelState {
    return { model: this.name, json: { difficulty: Object.fromEntries(this.difficulty), abilityMean: this.abilityMean, abilityVar: this.abilityVar }, tensors: [], weights: new Float32Array() };
  }

  static fromState(state: ModelState): IrtModel {
    const m = new IrtModel();
    m.difficulty = new Map(Object.entries(state.json.difficulty as Record<string, number>));
    m.abilityMean = state.json.abilityMean as number;
    m.abilityVar = state.json.abilityVar as number;
    return m;
  }
}

/** Newton steps for the MAP ability given responses, item difficulties and a normal prior. */
function mapAbility(responses: Interaction[], b: (itemId: string) => number, start: number, mean: number, variance: number, steps: number): number {
  let theta = start;
  for (let s = 0; s < steps; s++) {
    let grad = (theta - mean) / variance;
    let hess = 1 / variance;
    for (const x of responses) {
      const p = sigmoid(theta - b(x.itemId));
      grad += p - (x.correct ? 1 : 0);
      hess += p * (1 - p);
    }
    theta -= grad / hess;
  }
  return theta;
}
