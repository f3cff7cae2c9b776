import * as tf from '@tensorflow/tfjs';
import type { EpisodeBatch } from './batch.js';
import { attendWithNull, dense, embedItems, itemPrior, normalize, pairGeometry, splitHeads, withResponse, type Params } from './layers.js';
import { NeuralModel, type NeuralConfig } from './neural.js';

export const MATCHING_DEFAULTS: NeuralConfig = { dim: 32, heads: 4, learningRate: 0.005, pairBudget: 160_000, maxBatch: 64 };

/**
 * Matching network. With e = item embedding (item features · E):
 *   f(query) = e_q·F, g(support ⊕ response) = [e_s·r, e_s·(1−r)]·G          (per head h)
 *   a_h(q, s) = softmax_s( τ_h · cos(f_h(q), g_h(s)) − λ_h · log(pos_q − pos_s) + β_h · [q = s] )   over allowed s and a null slot
 *   vote_h(q) = Σ_s a_h(q, s) · (2 r_s − 1)
 *   logit(q) = prior(q) + Σ_h w_h(q) · vote_h(q),   w(q) = e_q·W + c
 * τ_h is the learned temperature, λ_h a learned recency preference, β_h a learned pull towards earlier
 * attempts at the same item, prior(q) the learned item
 * difficulty: with an empty support set the votes are 0 and the prediction is the prior.
 */
export class MatchingNetwork extends NeuralModel {
  readonly name = 'matching';

  protected build(p: Params, width: number): void {
    const { dim, heads } = this.config;
    p.add('embed', [width, dim]);
    p.add('prior', [width, 1], 0);
    p.add('f', [dim, dim]);
    p.add('g', [2 * dim, dim]);
    p.add('voteWeight', [dim, heads]);
    p.add('voteBias', [heads], 1);
    p.add('temperature', [heads], 5);
    p.add('recency', [heads], 0.5);
    p.add('sameItem', [heads], 0);
    p.add('nullScore', [heads], 0);
  }

  logits(batch: EpisodeBatch): tf.Tensor2D {
    const p = this.params;
    const heads = this.config.heads;
    const e = embedItems(batch, p.get('embed') as tf.Tensor2D);
    const f = normalize(splitHeads(dense(e.query, p.get('f') as tf.Tensor2D), heads));
    const g = normalize(splitHeads(dense(withResponse(e.support, batch.supportCorrect), p.get('g') as tf.Tensor2D), heads));
    const { mask, logGap, sameItem } = pairGeometry(batch);
    const perHead = (v: tf.Tensor) => v.reshape([1, heads, 1, 1]);
    const scores = tf
      .matMul(f, g, false, true)
      .mul(perHead(p.get('temperature')))
      .sub(logGap.expandDims(1).mul(perHead(p.get('recency'))))
      .add(sameItem.expandDims(1).mul(perHead(p.get('sameItem')))) as tf.Tensor4D;
    const responses = batch.supportCorrect.mul(2).sub(1).reshape([batch.supportCorrect.shape[0], 1, 1, -1]);
    const votes = attendWithNull(scores, responses, mask.expandDims(1), p.get('nullScore') as tf.Tensor1D); // [B, H, Q]
    const voteWeights = dense(e.query, p.get('voteWeight') as tf.Tensor2D, p.get('voteBias') as tf.Tensor1D); // [B, Q, H]
    const vote = votes.transpose([0, 2, 1]).mul(voteWeights).sum(2);
    return itemPrior(batch, p.get('prior') as tf.Tensor2D).add(vote) as tf.Tensor2D;
  }
}
