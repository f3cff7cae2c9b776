import type { Dataset, Interaction, ItemRef } from '../data/interactions.js';
import type { Episode } from '../data/episodes.js';
import { sigmoid } from '../metrics.js';
import { validationAuc } from '../evaluate.js';
import type { ModelState, Recommender } from './types.js';
import { walkEpisode } from './walk.js';

/** Candidate variances of an item's offset from its skills' difficulty; validation picks one. */
const OFFSET_VARIANCES = [0.25, 1, 4];
const DEFAULT_OFFSET_VARIANCE = 1;

/**
 * Baseline: hierarchical 1PL IRT, P(correct) = σ(θ − b_item) with
 *   b_item = mean over the item's skills of β_skill + δ_item,   δ_item ~ N(0, τ²),
 * so an item's difficulty moves away from its skills' in proportion to its answers (an item answered
 * twice stays near its skills'; one never answered — imported today — is exactly its skills').
 * β, δ and the training learners' abilities are fitted jointly (alternating Newton steps), τ² chosen
 * on the validation learners. At prediction a learner's θ is the MAP estimate from their support set
 * under the N(μ, σ²) ability prior seen in training, so an empty support gives the average learner.
 */
export class IrtModel implements Recommender {
  readonly name = 'irt';
  /** Fitted b of every item answered in training (and authored items the fallback adds). */
  difficulty = new Map<string, number>();
  skillDifficulty = new Map<string, number>();
  abilityMean = 0;
  abilityVar = 1;
  offsetVariance = DEFAULT_OFFSET_VARIANCE;

  b(item: ItemRef): number {
    return this.difficulty.get(item.itemId) ?? skillPart(item, this.skillDifficulty);
  }

  async fit(train: Dataset, valid?: Dataset): Promise<void> {
    if (!valid) return this.fitWith(train, this.offsetVariance);
    let best = { auc: -Infinity, variance: DEFAULT_OFFSET_VARIANCE };
    for (const variance of OFFSET_VARIANCES) {
      this.fitWith(train, variance);
      const auc = await validationAuc(this, valid);
      if (auc > best.auc) best = { auc, variance };
    }
    this.fitWith(train, best.variance);
  }

  private fitWith(train: Dataset, offsetVariance: number): void {
    this.offsetVariance = offsetVariance;
    const offsets = new Map<string, number>();
    const skills = new Map<string, number>();
    const items = new Map<string, ItemRef>();
    for (const l of train.learners) for (const x of l.interactions) items.set(x.itemId, x);
    // Each item's current b, recomputed once per pass (not once per answer).
    const current = new Map<string, number>();
    const refresh = () => items.forEach((x, id) => current.set(id, skillPart(x, skills) + (offsets.get(id) ?? 0)));
    const b = (x: ItemRef) => current.get(x.itemId)!;
    refresh();
    const abilities = train.learners.map(() => 0);
    // Per pass, one Newton step on one block given the others: every skill β, then every item δ, then
    // every learner θ (stepping β and δ together would double-count the residual they share).
    const newtonPass = (grads: (x: Interaction, residual: number, curvature: number, add: (key: string, g: number, h: number) => void) => void, prior: number, values: Map<string, number>) => {
      const acc = new Map<string, [number, number]>();
      const add = (key: string, g: number, h: number) => {
        const a = acc.get(key) ?? [0, prior];
        a[0] += g;
        a[1] += h;
        acc.set(key, a);
      };
      train.learners.forEach((l, n) => {
        for (const x of l.interactions) {
          const p = sigmoid(abilities[n] - b(x));
          grads(x, p - (x.correct ? 1 : 0), p * (1 - p), add);
        }
      });
      // ∂(−log-likelihood)/∂b = y − p; the prior pulls towards 0.
      for (const [key, [grad, hess]] of acc) values.set(key, (values.get(key) ?? 0) - (grad + prior * (values.get(key) ?? 0)) / hess);
      refresh();
    };
    for (let it = 0; it < 20; it++) {
      newtonPass(
        (x, residual, curvature, add) => {
          const w = 1 / Math.max(1, x.skills.length); // ∂b/∂β_s
          for (const s of new Set(x.skills)) add(s, -residual * w, curvature * w * w);
        },
        0.1,
        skills,
      );
      newtonPass((x, residual, curvature, add) => add(x.itemId, -residual, curvature), 1 / offsetVariance, offsets);
      train.learners.forEach((l, n) => (abilities[n] = mapAbility(l.interactions, b, abilities[n], 0, 4, 1)));
    }
    this.skillDifficulty = skills;
    this.difficulty = new Map([...items.values()].map((x) => [x.itemId, b(x)]));
    this.abilityMean = abilities.reduce((s, a) => s + a, 0) / abilities.length;
    this.abilityVar = Math.max(0.1, abilities.reduce((s, a) => s + (a - this.abilityMean) ** 2, 0) / abilities.length);
  }

  async predict(episodes: Episode[]): Promise<Float32Array[]> {
    const b = (item: ItemRef) => this.b(item);
    return episodes.map((e) =>
      walkEpisode<{ seen: Interaction[]; theta: number }>(
        e,
        { seen: [], theta: this.abilityMean },
        (s, x) => {
          s.seen.push(x);
          s.theta = mapAbility(s.seen, b, s.theta, this.abilityMean, this.abilityVar, 3);
        },
        (s, item: ItemRef) => sigmoid(s.theta - b(item)),
      ),
    );
  }

  state(): ModelState {
    return {
      model: this.name,
      json: { items: columns(this.difficulty), skills: columns(this.skillDifficulty), abilityMean: this.abilityMean, abilityVar: this.abilityVar, offsetVariance: this.offsetVariance },
      tensors: [],
      weights: new Float32Array(),
    };
  }

  static fromState(state: ModelState): IrtModel {
    const m = new IrtModel();
    const { items, skills, difficulty } = state.json as { items?: Columns; skills?: Columns; difficulty?: Record<string, number> };
    // Versions saved before skill difficulties kept an id-keyed object and predict unseen items at 0, as they did then.
    m.difficulty = items ? fromColumns(items) : new Map(Object.entries(difficulty ?? {}));
    m.skillDifficulty = skills ? fromColumns(skills) : new Map();
    m.abilityMean = state.json.abilityMean as number;
    m.abilityVar = state.json.abilityVar as number;
    m.offsetVariance = (state.json.offsetVariance as number | undefined) ?? DEFAULT_OFFSET_VARIANCE;
    return m;
  }
}

/** An id → number map as two parallel arrays: ids may contain dots, which are no field names for the store. */
interface Columns {
  ids: string[];
  values: number[];
}
const columns = (map: Map<string, number>): Columns => ({ ids: [...map.keys()], values: [...map.values()] });
const fromColumns = (c: Columns) => new Map(c.ids.map((id, i) => [id, c.values[i]]));

/** The skills' share of an item's difficulty: the mean β of its known skills (0 without any). */
function skillPart(item: ItemRef, skills: Map<string, number>): number {
  const known = item.skills.map((s) => skills.get(s)).filter((b): b is number => b !== undefined);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
}

/** Newton steps for the MAP ability given responses, item difficulties and a normal prior. */
function mapAbility(responses: Interaction[], b: (item: ItemRef) => number, start: number, mean: number, variance: number, steps: number): number {
  let theta = start;
  for (let s = 0; s < steps; s++) {
    let grad = (theta - mean) / variance;
    let hess = 1 / variance;
    for (const x of responses) {
      const p = sigmoid(theta - b(x));
      grad += p - (x.correct ? 1 : 0);
      hess += p * (1 - p);
    }
    theta -= grad / hess;
  }
  return theta;
}
