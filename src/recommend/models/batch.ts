import * as tf from '@tensorflow/tfjs';
import type { Episode } from '../data/episodes.js';
import type { ItemSpace } from '../data/items.js';

/** Position given to padded support slots: later than every query, so the causal mask hides them. */
const PAD_POSITION = 1e9;

/** Episodes as padded tensors. Item indices point into `items`, the feature rows of this batch's distinct items. */
export interface EpisodeBatch {
  items: tf.Tensor2D; // [U, width]
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
  const rows: Float32Array[] = [];
  const indexOf = (item: Episode['query'][number]): number => {
    const key = `${item.itemId}\u0000${item.skills.join(',')}\u0000${(item.features ?? []).join(',')}`;
    let i = local.get(key);
    if (i === undefined) {
      const row = new Float32Array(space.width);
      space.featurize(item, row);
      local.set(key, (i = rows.length));
      rows.push(row);
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
  const items = new Float32Array(rows.length * space.width);
  rows.forEach((row, i) => items.set(row, i * space.width));
  return {
    items: tf.tensor2d(items, [rows.length, space.width]),
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
