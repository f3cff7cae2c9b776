import * as tf from '@tensorflow/tfjs';
import type { EpisodeBatch } from './batch.js';
import { dense, itemPrior, itemTable, lookup, pairGeometry, withResponse, type Params } from './layers.js';
import { NeuralModel, type NeuralConfig } from './neural.js';

// The LSTM is linear in length, so the pair budget only caps batches of the longest chunks.
export const DKT_DEFAULTS: NeuralConfig = { dim: 32, hidden: 64, learningRate: 0.005, pairBudget: 32 * 200 * 200, maxBatch: 32 };

/**
 * DKT (Piech et al. 2015): an LSTM over the support sequence, input x_t = [e_t·r_t, e_t·(1−r_t)]:
 *   [i, f, o, g] = x_t·Wx + h_{t−1}·Wh + b,  c_t = σ(f)⊙c_{t−1} + σ(i)⊙tanh(g),  h_t = σ(o)⊙tanh(c_t)
 * A query after n allowed support interactions reads state h_n:
 *   logit(q) = prior(q) + (h_n·Wo)·e_q
 */
export class DktModel extends NeuralModel {
  readonly name = 'dkt';

  protected build(p: Params, width: number): void {
    const { dim, hidden } = this.config;
    p.add('embed', [width, dim]);
    p.add('prior', [width, 1], 0);
    p.add('inputGates', [2 * dim, 4 * hidden]);
    p.add('recurrentGates', [hidden, 4 * hidden]);
    p.add('gateBias', [4 * hidden], 0);
    p.add('readout', [hidden, dim]);
  }

  logits(batch: EpisodeBatch): tf.Tensor2D {
    const p = this.params;
    const hiddenSize = this.config.hidden;
    const table = itemTable(batch, p.get('embed')); // [U, d]
    const [b, steps] = batch.supportItem.shape;
    let h: tf.Tensor = tf.zeros([b, hiddenSize]);
    let c: tf.Tensor = tf.zeros([b, hiddenSize]);
    const states = [h];
    // Each step looks up its own inputs: slicing a [B, S, ·] input tensor per step (or splitting it)
    // was most of an epoch on wasm, whose Slice is slow, and a slice's gradient pads to the whole tensor.
    const items = tf.split(batch.supportItem.transpose(), steps, 0) as tf.Tensor2D[]; // [1, B] each
    const correct = tf.split(batch.supportCorrect.transpose(), steps, 0) as tf.Tensor2D[];
    for (let t = 0; t < steps; t++) {
      const x = dense(withResponse(lookup(table, items[t]), correct[t]), p.get('inputGates'), p.get('gateBias')).reshape([b, -1]);
      const [i, f, o, g] = tf.split(x.add(dense(h, p.get('recurrentGates'))), 4, 1);
      c = tf.sigmoid(f).mul(c).add(tf.sigmoid(i).mul(tf.tanh(g)));
      h = tf.sigmoid(o).mul(tf.tanh(c));
      states.push(h);
    }
    // State index = how many support interactions the query may see (padding comes last).
    const seen = pairGeometry(batch).mask.sum(2).toInt() as tf.Tensor2D;
    const read = tf.matMul(tf.oneHot(seen, states.length).toFloat(), tf.stack(states, 1)); // [B, Q, hidden]
    const knowledge = dense(read, p.get('readout') as tf.Tensor2D).mul(lookup(table, batch.queryItem)).sum(2);
    return itemPrior(batch, p.get('prior') as tf.Tensor2D).add(knowledge) as tf.Tensor2D;
  }
}
