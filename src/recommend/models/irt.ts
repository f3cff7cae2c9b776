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
    let best = { auc: -Infinity, fitted: this.fitted() };
    for (const variance of OFFSET_VARIANCES) {
      this.fitWith(train, variance);
      const auc = await validationAuc(this, valid);
      if (auc > best.auc) best = { auc, fitted: this.fitted() };
    }
    Object.assign(this, best.fitted);
  }

  /** What a fit sets (kept for the best τ² instead of fitting it again). */
  private fitted() {
    const { difficulty, skillDifficulty, abilityMean, abilityVar, offsetVariance } = this;
    return { difficulty, skillDifficulty, abilityMean, abilityVar, offsetVariance };
  }

  private fitWith(train: Dataset, offsetVariance: number): void {
    this.offsetVariance = offsetVariance;
    const f = flatten(train);
    const beta = new Float64Array(f.skillIds.length);
    const offsets = new Float64Array(f.items.length);
    const b = new Float64Array(f.items.length);
    // Each item's current b, recomputed once per pass (not once per answer).
    const refresh = () => {
      for (let i = 0; i < f.items.length; i++) {
        let sum = 0;
        for (let k = f.itemSkillStart[i]; k < f.itemSkillStart[i + 1]; k++) sum += beta[f.itemSkills[k]];
        const count = f.itemSkillStart[i + 1] - f.itemSkillStart[i];
        b[i] = (count ? sum / count : 0) + offsets[i];
      }
    };
    const abilities = new Float64Array(train.learners.length);
    const residual = new Float64Array(f.item.length);
    const curvature = new Float64Array(f.item.length);
    const answer = () => {
      for (let n = 0; n < f.item.length; n++) {
        const p = sigmoid(abilities[f.learner[n]] - b[f.item[n]]);
        residual[n] = p - f.correct[n];
        curvature[n] = p * (1 - p);
      }
    };
    // One Newton step on a block given the others; ∂(−log-likelihood)/∂b = y − p, the prior pulls towards 0.
    const newtonStep = (values: Float64Array, grad: Float64Array, hess: Float64Array, prior: number) => {
      for (let k = 0; k < values.length; k++) values[k] -= (grad[k] + prior * values[k]) / (hess[k] + prior);
      refresh();
    };
    refresh();
    // Per pass, one Newton step on one block given the others: every skill β, then every item δ, then
    // every learner θ (stepping β and δ together would double-count the residual they share).
    for (let it = 0; it < 20; it++) {
      answer();
      const skillGrad = new Float64Array(beta.length);
      const skillHess = new Float64Array(beta.length);
      for (let n = 0; n < f.item.length; n++) {
        const w = f.skillWeight[n]; // ∂b/∂β_s
        for (let k = f.skillStart[n]; k < f.skillStart[n + 1]; k++) {
          skillGrad[f.skills[k]] -= residual[n] * w;
          skillHess[f.skills[k]] += curvature[n] * w * w;
        }
      }
      newtonStep(beta, skillGrad, skillHess, 0.1);
      answer();
      const itemGrad = new Float64Array(offsets.length);
      const itemHess = new Float64Array(offsets.length);
      for (let n = 0; n < f.item.length; n++) {
        itemGrad[f.item[n]] -= residual[n];
        itemHess[f.item[n]] += curvature[n];
      }
      newtonStep(offsets, itemGrad, itemHess, 1 / offsetVariance);
      // One Newton step per learner under the N(0, 4) fitting prior.
      answer();
      const abilityGrad = Float64Array.from(abilities, (a) => a / 4);
      const abilityHess = new Float64Array(abilities.length).fill(1 / 4);
      for (let n = 0; n < f.item.length; n++) {
        abilityGrad[f.learner[n]] += residual[n];
        abilityHess[f.learner[n]] += curvature[n];
      }
      for (let l = 0; l < abilities.length; l++) abilities[l] -= abilityGrad[l] / abilityHess[l];
    }
    this.skillDifficulty = new Map(f.skillIds.map((s, k) => [s, beta[k]]));
    this.difficulty = new Map(f.items.map((x, i) => [x.itemId, b[i]]));
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

/**
 * Training answers as parallel typed arrays (the fit makes 60 passes over them): learner, item and
 * response per answer, the answer's distinct skills and 1/(its tag count), and each item's tags as
 * last seen in training (what its difficulty is computed from, as at prediction).
 */
function flatten(train: Dataset) {
  const itemIndex = new Map<string, number>();
  const items: ItemRef[] = [];
  const skillIndex = new Map<string, number>();
  const skillOf = (s: string) => {
    let k = skillIndex.get(s);
    if (k === undefined) skillIndex.set(s, (k = skillIndex.size));
    return k;
  };
  const learner: number[] = [];
  const item: number[] = [];
  const correct: number[] = [];
  const skillWeight: number[] = [];
  const skillStart = [0];
  const skills: number[] = [];
  train.learners.forEach((l, n) => {
    for (const x of l.interactions) {
      let i = itemIndex.get(x.itemId);
      if (i === undefined) itemIndex.set(x.itemId, (i = items.length));
      items[i] = x;
      learner.push(n);
      item.push(i);
      correct.push(x.correct ? 1 : 0);
      skillWeight.push(1 / Math.max(1, x.skills.length));
      for (const s of new Set(x.skills)) skills.push(skillOf(s));
      skillStart.push(skills.length);
    }
  });
  const itemSkillStart = [0];
  const itemSkills: number[] = [];
  for (const x of items) {
    for (const s of x.skills) itemSkills.push(skillOf(s));
    itemSkillStart.push(itemSkills.length);
  }
  return {
    items,
    skillIds: [...skillIndex.keys()],
    learner: Int32Array.from(learner),
    item: Int32Array.from(item),
    correct: Float64Array.from(correct),
    skillWeight: Float64Array.from(skillWeight),
    skillStart: Int32Array.from(skillStart),
    skills: Int32Array.from(skills),
    itemSkillStart: Int32Array.from(itemSkillStart),
    itemSkills: Int32Array.from(itemSkills),
  };
}

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
