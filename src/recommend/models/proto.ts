import * as tf from '@tensorflow/tfjs';
import type { EpisodeBatch } from './batch.js';
import { dense, embedItems, itemPrior, pairGeometry, splitHeads, type Params } from './layers.js';
import { NeuralModel, type NeuralConfig } from './neural.js';

export const PROTO_DEFAULTS: NeuralConfig = { dim: 32, heads: 2, learningRate: 0.005, pairBudget: 160_000, maxBatch: 64 };

/**
 * Prototypical network. Items are embedded by φ (per head h); for each query the support set gives
 * two prototypes, recency-weighted means shrunk towards the origin by a learned pseudo-count κ_h:
 *   w(q, s) = allowed(q, s) · (pos_q − pos_s)^(−λ_h)
 *   c⁺_h(q) = Σ_s w·r_s·φ_h(s) / (Σ_s w·r_s + κ_h),   c⁻_h(q) likewise with (1 − r_s)
 *   logit(q) = prior(q) + Σ_h α_h · ( ‖φ_h(q) − c⁻_h‖² − ‖φ_h(q) − c⁺_h‖² )
 * Closer to the "answered correctly" prototype means likelier to succeed; no support → prior.
 */
export class PrototypicalNetwork extends NeuralModel {
  readonly name = 'proto';

  protected build(p: Params, width: number): void {
    const { dim, heads } = this.config;
    p.add('embed', [width, dim]);
    p.add('prior', [width, 1], 0);
    p.add('phi', [dim, dim]);
    p.add('recency', [heads], 0.5);
    p.add('pseudoCount', [heads], 0.5);
    p.add('scale', [heads], 1);
  }

  logits(batch: EpisodeBatch): tf.Tensor2D {
    const p = this.params;
    const heads = this.config.heads;
    const perHead = (v: tf.Tensor) => v.reshape([1, heads, 1, 1]);
    const e = embedItems(batch, p.get('embed') as tf.Tensor2D);
    const phi = p.get('phi') as tf.Tensor2D;
    const query = splitHeads(dense(e.query, phi), heads); // [B, H, Q, k]
    const support = splitHeads(dense(e.support, phi), heads); // [B, H, S, k]
    const { mask, logGap } = pairGeometry(batch);
    const weights = logGap.expandDims(1).mul(perHead(p.get('recency'))).neg().exp().mul(mask.expandDims(1)); // [B, H, Q, S]
    const correct = batch.supportCorrect.reshape([batch.supportCorrect.shape[0], 1, 1, -1]);
    const pseudoCount = perHead(tf.softplus(p.get('pseudoCount')));
    const prototype = (w: tf.Tensor) => tf.matMul(w, support).div(w.sum(3, true).add(pseudoCount));
    const distance = (c: tf.Tensor) => query.sub(c).square().sum(3); // [B, H, Q]
    const margin = distance(prototype(weights.mul(tf.scalar(1).sub(correct)))).sub(distance(prototype(weights.mul(correct))));
    const evidence = margin.mul(p.get('scale').reshape([1, heads, 1])).sum(1);
    return itemPrior(batch, p.get('prior') as tf.Tensor2D).add(evidence) as tf.Tensor2D;
  }
}
