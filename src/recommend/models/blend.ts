import type { Dataset, ItemRef } from '../data/interactions.js';
import { causalEpisodes, type Episode } from '../data/episodes.js';
import { logit, sigmoid } from '../metrics.js';
import { fitLogistic } from './heuristic.js';
import { IrtModel } from './irt.js';
import type { ModelState } from './types.js';

/** Support-size buckets (how many earlier answers a query may see): 0, 1, 2, 3, 4, 5–9, 10–19, 20+. */
const BUCKET_STARTS = [0, 1, 2, 3, 4, 5, 10, 20];

const bucketOf = (supportSize: number): number => {
  let b = 0;
  while (b + 1 < BUCKET_STARTS.length && supportSize >= BUCKET_STARTS[b + 1]) b++;
  return b;
};

/** Fewer validation answers than this leave a weight set at its default. */
const MIN_ROWS = 50;
/** Defaults: the network alone where it knows the item; IRT's skill difficulty where it does not. */
const NETWORK_ALONE = [0, 1, 0];
const IRT_ALONE = [0, 0, 1];

const safeLogit = (p: number): number => logit(Math.min(1 - 1e-6, Math.max(1e-6, p)));

const weightSet = (item: ItemRef, supportSize: number, known: Known): number => (known(item) ? bucketOf(supportSize) : BUCKET_STARTS.length);
const defaultWeights = (set: number): number[] => (set < BUCKET_STARTS.length ? NETWORK_ALONE : IRT_ALONE);

/** How many support interactions each query may use (those strictly before it), as the models' mask. */
function supportSizes(e: Episode): number[] {
  const positions = [...e.supportPos].sort((a, b) => a - b);
  return e.queryPos.map((q) => {
    let n = 0;
    while (n < positions.length && positions[n] < q) n++;
    return n;
  });
}

export interface BlendJson {
  irt: ModelState['json'];
  /**
   * Per support-size bucket, then one set for items the network has no id weights for (rare or new),
   * flat (the store takes no nested arrays): bias, weight of the network's logit, of IRT's.
   */
  weights: number[];
}

type Predict = (episodes: Episode[]) => Promise<Float32Array[]>;
/** Whether the network has id weights for an item (else it sees only its skills and features). */
type Known = (item: ItemRef) => boolean;

/**
 * A learned blend of a network with hierarchical IRT whose weights depend on the learner's support size:
 *   logit(q) = a_k + b_k · logit(p_net(q)) + c_k · logit(p_irt(q)),   k = bucket of |support before q|.
 * With little support the network's item prior is least reliable for rarely answered items while
 * IRT's difficulties are shrunk to their skills'; the weights are fitted on the validation learners
 * only (logistic regression per bucket), so where IRT is better on a learner's first answers, the
 * blend leans on it, and where the network is better it keeps the network. Items without id weights
 * (answered too rarely in training, or imported after it) have one weight set of their own, pooled over
 * support sizes, IRT alone (its skills' difficulty) when validation has too few such answers.
 */
export class SupportBlend {
  constructor(
    readonly irt: IrtModel,
    readonly weights: number[][],
  ) {}

  static async fit(net: Predict, known: Known, train: Dataset, valid: Dataset): Promise<SupportBlend> {
    const irt = new IrtModel();
    await irt.fit(train, valid);
    const episodes = causalEpisodes(valid);
    const [p, q] = await Promise.all([net(episodes), irt.predict(episodes)]);
    const sets = BUCKET_STARTS.length + 1;
    const rows = Array.from({ length: sets }, () => [] as number[][]);
    const labels = Array.from({ length: sets }, () => [] as number[]);
    episodes.forEach((e, n) =>
      supportSizes(e).forEach((size, i) => {
        const k = weightSet(e.query[i], size, known);
        rows[k].push([1, safeLogit(p[n][i]), safeLogit(q[n][i])]);
        labels[k].push(e.queryCorrect?.[i] ? 1 : 0);
      }),
    );
    return new SupportBlend(irt, rows.map((r, k) => (r.length >= MIN_ROWS ? fitLogistic(r, labels[k]) : defaultWeights(k))));
  }

  async apply(episodes: Episode[], net: Float32Array[], known: Known): Promise<Float32Array[]> {
    const q = await this.irt.predict(episodes);
    return episodes.map((e, n) =>
      Float32Array.from(supportSizes(e), (size, i) => {
        const [a, b, c] = this.weights[weightSet(e.query[i], size, known)];
        return sigmoid(a + b * safeLogit(net[n][i]) + c * safeLogit(q[n][i]));
      }),
    );
  }

  json(): BlendJson {
    return { irt: this.irt.state().json, weights: this.weights.flat() };
  }

  static fromJson(json: BlendJson): SupportBlend {
    const weights = Array.from({ length: BUCKET_STARTS.length + 1 }, (_, k) => (json.weights.length >= 3 * k + 3 ? json.weights.slice(3 * k, 3 * k + 3) : defaultWeights(k)));
    return new SupportBlend(IrtModel.fromState({ model: 'irt', json: json.irt, tensors: [], weights: new Float32Array() }), weights);
  }
}
