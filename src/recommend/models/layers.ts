import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random.js';
import type { EpisodeBatch } from './batch.js';

/** Trainable weights of one model, created with a seeded initializer so runs are reproducible. */
export class Params {
  readonly variables = new Map<string, tf.Variable>();

  constructor(private readonly rng: Rng) {}

  /** Glorot-uniform matrix (or `fill` constant) registered under `name`. */
  add(name: string, shape: number[], fill?: number): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    const fanIn = shape.length > 1 ? shape[shape.length - 2] : 1;
    const fanOut = shape[shape.length - 1];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    for (let i = 0; i < size; i++) values[i] = fill ?? (this.rng() * 2 - 1) * limit;
    const v = tf.variable(tf.tensor(values, shape)); // unnamed: tfjs variable names are global
    this.variables.set(name, v);
    return v;
  }

  get(name: string): tf.Variable {
    const v = this.variables.get(name);
    if (!v) throw new Error(`missing weight ${name}`);
    return v;
  }
}

/**
 * x [N, in] · W [in, out]. Its input gradient multiplies by an explicitly transposed W: wasm's matMul
 * with a transposed second operand (tf.matMul's own gradient) is ~3× slower on these tall, thin shapes.
 */
const matMulRows = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], [sx, sw]: tf.Tensor[]) => [tf.matMul(dy as tf.Tensor2D, sw.transpose()), tf.matMul(sx as tf.Tensor2D, dy as tf.Tensor2D, true, false)],
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/** x [..., in] · W [in, out] + bias, for any leading shape. */
export function dense(x: tf.Tensor, w: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const lead = x.shape.slice(0, -1);
  const y = matMulRows(x.reshape([-1, w.shape[0] as number]), w as tf.Tensor2D).reshape([...lead, w.shape[1] as number]);
  return bias ? y.add(bias) : y;
}

/**
 * Rows of a weight matrix. The gradient is a scatter-add (ScatterNd, which wasm has) instead of
 * tf.gather's UnsortedSegmentSum, which it lacks.
 */
const gatherRows = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [table, rows, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([rows]);
  const shape = table.shape;
  return {
    value: tf.gather(table, rows),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], [saved]: tf.Tensor[]) => [tf.scatterND(saved.expandDims(1), dy as tf.Tensor, shape), tf.zerosLike(saved)],
  };
}) as (table: tf.Tensor, rows: tf.Tensor) => tf.Tensor;

/**
 * Row lookup: [U, d] table, int32 [B, N] indices → [B, N, d], by gatherRows (scatter-add gradient).
 * It was a one-hot matmul, whose [B·N, U] one-hot grew with the batch's distinct items (thousands on
 * item-level data) and was most of a step's matmul time there.
 */
export function lookup(table: tf.Tensor, indices: tf.Tensor2D): tf.Tensor3D {
  const [b, n] = indices.shape;
  return gatherRows(table, indices.flatten()).reshape([b, n, table.shape[1] as number]);
}

/** The batch's distinct items times W: their sparse feature rows · W, [U, out]. */
export function itemTable(batch: EpisodeBatch, w: tf.Tensor): tf.Tensor2D {
  const [u, m] = batch.itemValues.shape;
  const out = w.shape[1] as number;
  return gatherRows(w, batch.itemColumns).reshape([u, m, out]).mul(batch.itemValues.expandDims(2)).sum(1) as tf.Tensor2D;
}

/** Item embeddings of support and query: item features × W, looked up per position. */
export function embedItems(batch: EpisodeBatch, w: tf.Tensor): { support: tf.Tensor3D; query: tf.Tensor3D } {
  const table = itemTable(batch, w);
  return { support: lookup(table, batch.supportItem), query: lookup(table, batch.queryItem) };
}

/** The learned item prior (easiness): a linear function of item features, so unseen items get one. [B, N] */
export function itemPrior(batch: EpisodeBatch, w: tf.Tensor, indices = batch.queryItem): tf.Tensor2D {
  return lookup(itemTable(batch, w), indices).squeeze([2]) as tf.Tensor2D;
}

/** Support ⊕ response: the embedding routed to a "correct" or a "wrong" half, [B, S, 2d]. */
export function withResponse(support: tf.Tensor3D, correct: tf.Tensor2D): tf.Tensor3D {
  const r = correct.expandDims(2);
  return tf.concat([support.mul(r), support.mul(tf.scalar(1).sub(r))], 2) as tf.Tensor3D;
}

/**
 * Query/support geometry: mask[b,q,s] = 1 when support s happened strictly before query q
 * (this is the only place leakage could enter), logGap = log(position distance) for recency, and
 * sameItem = 1 when s is an earlier attempt at the query's own item (the strongest single piece of
 * evidence, which a sum of query and support terms cannot express by itself).
 */
export function pairGeometry(batch: EpisodeBatch): { mask: tf.Tensor3D; logGap: tf.Tensor3D; sameItem: tf.Tensor3D } {
  const gap = batch.queryPos.expandDims(2).sub(batch.supportPos.expandDims(1)) as tf.Tensor3D;
  // Item indices are integers, so 1 − min(|q − s|, 1) is [q = s]; wasm's Equal is ~50× slower than a Sub.
  const itemGap = batch.queryItem.toFloat().expandDims(2).sub(batch.supportItem.toFloat().expandDims(1));
  const sameItem = tf.scalar(1).sub(itemGap.abs().minimum(1)) as tf.Tensor3D;
  return { mask: gap.greaterEqual(1).toFloat() as tf.Tensor3D, logGap: gap.maximum(1).log() as tf.Tensor3D, sameItem };
}

/**
 * Softmax attention over the allowed support plus one "nothing relevant" slot with score `nullScore`
 * and value 0: with no (or no similar) support the weight goes to it and the vote shrinks to 0.
 * scores, values: [B, H, Q, S]; mask: [B, 1, Q, S]; nullScore: [H] → [B, H, Q].
 */
export function attendWithNull(scores: tf.Tensor4D, values: tf.Tensor, mask: tf.Tensor, nullScore: tf.Tensor): tf.Tensor3D {
  const nullSlot = nullScore.reshape([1, -1, 1, 1]);
  // Subtracting the max keeps exp in range; it cancels in the ratio, and so does its gradient, which
  // is therefore not computed (tf.max's would be an Equal, a Cast and a Mul over every score).
  // (tf.maximum's gradient does not broadcast, so both sides get the same shape first.)
  const maxScore = maxWithoutGradient(scores.mul(mask));
  const top = tf.maximum(maxScore, nullSlot.add(tf.zerosLike(maxScore)));
  const weights = scores.sub(top).exp().mul(mask);
  const nullWeight = nullSlot.sub(top).exp();
  const total = weights.sum(3).add(nullWeight.squeeze([3]));
  return weights.mul(values).sum(3).div(total) as tf.Tensor3D;
}

/** The max over the last axis (kept), treated as a constant by backpropagation. */
const maxWithoutGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: x.max(-1, true), gradFunc: () => tf.zerosLike(x) };
}) as (x: tf.Tensor) => tf.Tensor;

/** Mean binary cross-entropy over real queries, written with softplus (no log1p gradient needed). */
export function maskedLogLoss(logits: tf.Tensor2D, labels: tf.Tensor2D, valid: tf.Tensor2D): tf.Scalar {
  const perQuery = tf.softplus(logits).sub(logits.mul(labels)).mul(valid);
  return perQuery.sum().div(valid.sum().maximum(1)) as tf.Scalar;
}

/** Unit-length vectors along the last axis (for cosine similarity). */
export function normalize(x: tf.Tensor): tf.Tensor {
  return x.div(x.square().sum(-1, true).add(1e-8).sqrt());
}

/** [B, N, H·k] → [B, H, N, k], heads first for batched matmuls. */
export function splitHeads(x: tf.Tensor, heads: number): tf.Tensor4D {
  const [b, n, width] = x.shape;
  return x.reshape([b, n, heads, width / heads]).transpose([0, 2, 1, 3]);
}
