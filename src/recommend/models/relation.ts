import * as tf from '@tensorflow/tfjs';
import type { EpisodeBatch } from './batch.js';
import { attendWithNull, dense, embedItems, itemPrior, pairGeometry, withResponse, type Params } from './layers.js';
import { NeuralModel, type NeuralConfig } from './neural.js';

export const RELATION_DEFAULTS: NeuralConfig = { dim: 32, hidden: 32, heads: 2, learningRate: 0.004, pairBudget: 120_000, maxBatch: 64 };

/**
 * Relation network. For every allowed (query q, support s) pair a learned relation module
 *   h(q, s) = relu( e_q·A + [e_s·r_s, e_s·(1−r_s)]·B + log(pos_q − pos_s)·c + [q = s]·(u + r_s·v) + d )
 *   [score_h(q, s), value_h(q, s)] = h(q, s)·W + w
 * and the relations are aggregated by attention (with a null slot, as in the matching network):
 *   logit(q) = prior(q) + Σ_h Σ_s softmax_s(score_h(q, ·))_s · value_h(q, s)
 * The first layer is linear in the concatenation, so it is computed per query and per support
 * and broadcast over pairs instead of materialising the concatenated pair tensor.
 */
export class RelationNetwork extends NeuralModel {
  readonly name = 'relation';

  protected build(p: Params, width: number): void {
    const { dim, hidden, heads } = this.config;
    p.add('embed', [width, dim]);
    p.add('prior', [width, 1], 0);
    p.add('queryIn', [dim, hidden]);
    p.add('supportIn', [2 * dim, hidden]);
    p.add('gapIn', [hidden]);
    p.add('sameIn', [hidden]);
    p.add('sameCorrectIn', [hidden]);
    p.add('hiddenBias', [hidden], 0);
    p.add('out', [hidden, 2 * heads]);
    p.add('outBias', [2 * heads], 0);
    p.add('nullScore', [heads], 0);
  }

  logits(batch: EpisodeBatch): tf.Tensor2D {
    const p = this.params;
    const heads = this.config.heads;
    const e = embedItems(batch, p.get('embed') as tf.Tensor2D);
    const queryPart = dense(e.query, p.get('queryIn') as tf.Tensor2D, p.get('hiddenBias')).expandDims(2); // [B, Q, 1, h]
    const supportPart = dense(withResponse(e.support, batch.supportCorrect), p.get('supportIn') as tf.Tensor2D).expandDims(1); // [B, 1, S, h]
    const { mask, logGap, sameItem } = pairGeometry(batch);
    // Pair terms: log gap·c and, for an earlier attempt at the same item, u + r_s·v (one [B, 1, S, h] term).
    const sameTerm = batch.supportCorrect.expandDims(2).mul(p.get('sameCorrectIn')).add(p.get('sameIn')).expandDims(1);
    const pairPart = logGap.expandDims(3).mul(p.get('gapIn')).add(sameItem.expandDims(3).mul(sameTerm));
    const hidden = tf.relu(pairPart.add(queryPart).add(supportPart));
    const relation = dense(hidden, p.get('out') as tf.Tensor2D, p.get('outBias') as tf.Tensor1D).transpose([0, 3, 1, 2]); // [B, 2H, Q, S]
    const [scores, values] = tf.split(relation, [heads, heads], 1);
    const evidence = attendWithNull(scores as tf.Tensor4D, values, mask.expandDims(1), p.get('nullScore') as tf.Tensor1D).sum(1);
    return itemPrior(batch, p.get('prior') as tf.Tensor2D).add(evidence) as tf.Tensor2D;
  }
}
