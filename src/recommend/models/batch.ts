import * as tf from '@tensorflow/tfjs';
import type { Episode } from '../data/episodes.js';
import type { ItemSpace } from '../data/items.js';

/** Position given to padded support slots: later than every query, so the causal mask hides them. */
const PAD_POSITION = 1e9;

/**
 * Episodes as padded tensors. Item indices point into this batch's U distinct items, each given as
 * its M nonzero feature columns and values (padded with column 0, value 0).
 */
export interface EpisodeBatch {
  itemColumns: tf.Tensor1D; // int32 [U·M]
  itemValues: tf.Tensor2D; // [U, M]
  supportItem: tf.Tensor2D; // int32 [B, S]
  supportCorrect: tf.Tensor2D; // [B, S] 1 correct, 0 wrong or padding
  supportPos: tf.Tensor2D; // [B, S]
  queryItem: tf.Tensor2D; // int32 [B, Q]
  queryPos: tf.Tensor2D; // [B, Q]
  queryCorrect: tf.Tensor2D; // [B, Q]
  queryValid: tf.Tensor2D; // [B, Q] 1 for real queries, 0 for padding
}

export function toBatch(episodes: Episode[], space: ItemSpace): EpisodeBatch {
  const b = episodes.length;
  const s = Math.max(1, ...episodes.map((e) => e.support.length));
  const q = Math.max(1, ...episodes.map((e) => e.query.length));
  const local = new Map<string, number>();
  const rows: { columns: number[]; values: number[] }[] = [];
  const indexOf = (item: Episode['query'][number]): number => {
    const key = `${item.itemId}\u0000${item.skills.join(',')}\u0000${(item.features ?? []).join(',')}`;
    let i = local.get(key);
    if (i === undefined) {
      local.set(key, (i = rows.length));
      rows.push(space.sparse(item));
    }
    return i;
  };
  const supportItem = new Int32Array(b * s);
  const supportCorrect = new Float32Array(b * s);
  const supportPos = new Float32Array(b * s).fill(PAD_POSITION);
  const queryItem = new Int32Array(b * q);
  const queryPos = new Float32Array(b * q);
  const queryCorrect = new Float32Array(b * q);
  const queryValid = new Float32Array(b * q);
  episodes.forEach((e, n) => {
    e.support.forEach((x, i) => {
      supportItem[n * s + i] = indexOf(x);
      supportCorrect[n * s + i] = x.correct ? 1 : 0;
      supportPos[n * s + i] = e.supportPos[i];
    });
    e.query.forEach((x, i) => {
      queryItem[n * q + i] = indexOf(x);
      queryPos[n * q + i] = e.queryPos[i];
      queryCorrect[n * q + i] = e.queryCorrect?.[i] ? 1 : 0;
      queryValid[n * q + i] = 1;
    });
  });
  const m = Math.max(1, ...rows.map((r) => r.columns.length));
  const columns = new Int32Array(rows.length * m);
  const values = new Float32Array(rows.length * m);
  rows.forEach((r, i) => {
    columns.set(r.columns, i * m);
    values.set(r.values, i * m);
  });
  return {
    itemColumns: tf.tensor1d(columns, 'int32'),
    itemValues: tf.tensor2d(values, [rows.length, m]),
    supportItem: tf.tensor2d(supportItem, [b, s], 'int32'),
    supportCorrect: tf.tensor2d(supportCorrect, [b, s]),
    supportPos: tf.tensor2d(supportPos, [b, s]),
    queryItem: tf.tensor2d(queryItem, [b, q], 'int32'),
    queryPos: tf.tensor2d(queryPos, [b, q]),
    queryCorrect: tf.tensor2d(queryCorrect, [b, q]),
    queryValid: tf.tensor2d(queryValid, [b, q]),
  };
}

export function disposeBatch(batch: EpisodeBatch): void {
  tf.dispose(Object.values(batch));
}

/**
 * Buckets episodes by length so padding stays small, then cuts each bucket into batches whose
 * pairwise cost (batch × query × support) stays within `pairBudget` – attention is quadratic in length.
 */
export function bucketEpisodes(episodes: Episode[], pairBudget: number, maxBatch: number): Episode[][] {
  const sorted = [...episodes].sort((a, b) => a.support.length + a.query.length - (b.support.length + b.query.length));
  const batches: Episode[][] = [];
  let current: Episode[] = [];
  for (const e of sorted) {
    const cost = (current.length + 1) * Math.max(1, e.query.length) * Math.max(1, e.support.length);
    if (current.length > 0 && (cost > pairBudget || current.length >= maxBatch)) {
      batches.push(current);
      current = [];
    }
    current.push(e);
  }
  if (current.length) batches.push(current);
  return batches;
}
