import * as tf from '@tensorflow/tfjs';
import type { EpisodeBatch } from './batch.js';
import { dense, embedItems, itemPrior, pairGeometry, type Params } from './layers.js';
import { NeuralModel, type NeuralConfig } from './neural.js';

export const MAML_DEFAULTS: NeuralConfig = { dim: 32, features: 16, innerSteps: 3, learningRate: 0.005, pairBudget: 160_000, maxBatch: 64 };

/**
 * MAML. Each learner gets a small logistic predictor  P(correct | q) = σ(prior(q) + θ·ψ(q))  over
 * meta-learned item features ψ(q) = [e_q·Ψ, 1] (the constant feature is a general ability, as in IRT).
 * θ starts at the meta-learned θ₀ and takes `innerSteps` gradient steps on the support set allowed
 * for each query, with meta-learned per-feature step sizes α (Meta-SGD style); the support loss is
 * recency-weighted and divided by its weight plus a learned pseudo-count κ, a Newton-like scaling
 * so one step size suits 1 and 200 interactions:
 *   w(q, s) = allowed(q, s) · (pos_q − pos_s)^(−λ)
 *   θ ← θ − α ⊙ Σ_s w · (σ(prior(s) + θ·ψ(s)) − r_s) · ψ(s) / (Σ_s w + κ)
 * The inner gradient is written out analytically, so all queries (hence all causal prefixes)
 * adapt in one batched pass and the outer gradient flows through the steps (second order).
 */
export class MamlModel extends NeuralModel {
  readonly name = 'maml';

  protected build(p: Params, width: number): void {
    const { dim, features } = this.config;
    p.add('embed', [width, dim]);
    p.add('prior', [width, 1], 0);
    p.add('psi', [dim, features]);
    p.add('theta0', [features + 1], 0);
    p.add('stepSize', [features + 1], 1);
    p.add('recency', [1], 0.3);
    p.add('pseudoCount', [1], 1);
  }

  logits(batch: EpisodeBatch): tf.Tensor2D {
    const p = this.params;
    const e = embedItems(batch, p.get('embed') as tf.Tensor2D);
    const features = (x: tf.Tensor) => tf.concat([dense(x, p.get('psi')), tf.onesLike(x).slice([0, 0, 0], [-1, -1, 1])], 2);
    const queryPsi = features(e.query); // [B, Q, k + 1]
    const supportPsi = features(e.support); // [B, S, k + 1]
    const prior = p.get('prior') as tf.Tensor2D;
    const supportPrior = itemPrior(batch, prior, batch.supportItem).expandDims(1); // [B, 1, S]
    const { mask, logGap } = pairGeometry(batch);
    const weights = logGap.mul(p.get('recency')).neg().exp().mul(mask); // [B, Q, S]
    const normalizer = weights.sum(2, true).add(tf.softplus(p.get('pseudoCount')));
    const labels = batch.supportCorrect.expandDims(1);
    let theta: tf.Tensor = queryPsi.mul(0).add(p.get('theta0')); // θ₀ for every query: [B, Q, k + 1]
    for (let step = 0; step < this.config.innerSteps; step++) {
      const supportLogits = tf.matMul(theta, supportPsi, false, true).add(supportPrior); // [B, Q, S]
      const residual = tf.sigmoid(supportLogits).sub(labels).mul(weights);
      theta = theta.sub(tf.matMul(residual, supportPsi).div(normalizer).mul(p.get('stepSize')));
    }
    return itemPrior(batch, prior).add(theta.mul(queryPsi).sum(2)) as tf.Tensor2D;
  }
}
