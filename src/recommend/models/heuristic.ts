import type { Dataset, Interaction, ItemRef } from '../data/interactions.js';
import { causalEpisodes, type Episode } from '../data/episodes.js';
import { logit, sigmoid } from '../metrics.js';
import { ItemRateModel } from './item-rate.js';
import type { ModelState, Recommender } from './types.js';
import { smoothedRate, walkEpisode } from './walk.js';

/** Running counts of one learner: overall and per item. */
interface RunningState {
  correct: number;
  attempts: number;
  perItem: Map<string, [number, number]>;
}

/**
 * Baseline: logistic regression over
 *   x1 = logit(item's training success rate), x2 = logit(learner's running success rate),
 *   x3 = logit(learner's running success rate on this item),
 * each rate shrunk towards a prior with a weak pseudo-count, weights fitted on the training file.
 */
export class HeuristicModel implements Recommender {
  readonly name = 'heuristic';
  private itemRate = new ItemRateModel();
  weights = [0, 1, 0, 0];

  private features(s: RunningState, item: ItemRef): number[] {
    const prior = this.itemRate.rate(item.itemId);
    const [c, n] = s.perItem.get(item.itemId) ?? [0, 0];
    return [1, logit(prior), logit(smoothedRate(s.correct, s.attempts, this.itemRate.mean, 2)), logit(smoothedRate(c, n, prior, 2))];
  }

  private walk(episode: Episode, score: (f: number[]) => number): Float32Array {
    const add = (s: RunningState, x: Interaction) => {
      s.correct += x.correct ? 1 : 0;
      s.attempts++;
      const c = s.perItem.get(x.itemId) ?? [0, 0];
      s.perItem.set(x.itemId, [c[0] + (x.correct ? 1 : 0), c[1] + 1]);
    };
    return walkEpisode<RunningState>(episode, { correct: 0, attempts: 0, perItem: new Map() }, add, (s, item) => score(this.features(s, item)));
  }

  async fit(train: Dataset): Promise<void> {
    await this.itemRate.fit(train);
    const rows: number[][] = [];
    const labels: number[] = [];
    for (const e of causalEpisodes(train)) {
      this.walk(e, (f) => (rows.push(f), 0));
      for (const c of e.queryCorrect ?? []) labels.push(c ? 1 : 0);
    }
    this.weights = fitLogistic(rows, labels);
  }

  async predict(episodes: Episode[]): Promise<Float32Array[]> {
    return episodes.map((e) => this.walk(e, (f) => sigmoid(dot(f, this.weights))));
  }

  state(): ModelState {
    return { model: this.name, json: { weights: this.weights, itemRate: this.itemRate.state().json }, tensors: [], weights: new Float32Array() };
  }

  static fromState(state: ModelState): HeuristicModel {
    const m = new HeuristicModel();
    m.weights = state.json.weights as number[];
    m.itemRate = ItemRateModel.fromState({ ...state, json: state.json.itemRate as Record<string, unknown> });
    return m;
  }
}

const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i], 0);

/** Newton's method (IRLS) for a small logistic regression, with a tiny ridge for stability. */
export function fitLogistic(rows: number[][], labels: number[], iterations = 15): number[] {
  const d = rows[0]?.length ?? 0;
  const w = new Array<number>(d).fill(0);
  for (let it = 0; it < iterations; it++) {
    const grad = new Array<number>(d).fill(0);
    const hess = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1e-6 * rows.length : 0)));
    rows.forEach((x, n) => {
      const p = sigmoid(dot(x, w));
      const r = p * (1 - p);
      for (let i = 0; i < d; i++) {
        grad[i] += (p - labels[n]) * x[i];
        for (let j = 0; j < d; j++) hess[i][j] += r * x[i] * x[j];
      }
    });
    const step = solve(hess, grad);
    for (let i = 0; i < d; i++) w[i] -= step[i];
  }
  return w;
}

/** Gaussian elimination with partial pivoting for a small dense system. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}
