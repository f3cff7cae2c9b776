import * as tf from '@tensorflow/tfjs';
import type { Dataset } from './data/interactions.js';
import { causalEpisodes } from './data/episodes.js';
import { validationAuc } from './evaluate.js';
import { makeRng, shuffle } from './random.js';
import { disposeBatch, toBatch } from './models/batch.js';
import { maskedLogLoss } from './models/layers.js';
import type { NeuralModel } from './models/neural.js';
import type { FitOptions } from './models/types.js';

/** Loss of one batch; shared by training and the cpu/wasm agreement test. */
export function batchLoss(model: NeuralModel, batch: ReturnType<typeof toBatch>): tf.Scalar {
  return maskedLogLoss(model.logits(batch), batch.queryCorrect, batch.queryValid);
}

/**
 * Meta-training: every training chunk is one causal episode (each prefix is a support set for the
 * next response), batched by length; Adam; early stopping on validation AUC, keeping the best weights.
 */
export async function trainNeural(model: NeuralModel, train: Dataset, valid: Dataset, options: FitOptions): Promise<void> {
  const rng = makeRng(options.seed + 1);
  const batches = model.batches(causalEpisodes(train), options.maxBatch);
  const optimizer = tf.train.adam(options.learningRate ?? model.config.learningRate);
  const variables = [...model.params.variables.values()];
  const patience = options.patience ?? 2;
  const snapshot = () => variables.map((v) => tf.clone(v));
  let best = options.keepStart ? { auc: await validationAuc(model, valid), weights: snapshot() } : { auc: -Infinity, weights: [] as tf.Tensor[] };
  let stale = 0;
  for (let epoch = 1; epoch <= options.epochs && stale < patience; epoch++) {
    let lossSum = 0;
    for (const group of shuffle([...batches], rng)) {
      const batch = toBatch(group, model.space);
      const cost = optimizer.minimize(() => batchLoss(model, batch), true, variables);
      lossSum += (await cost!.data())[0];
      cost!.dispose();
      disposeBatch(batch);
    }
    const auc = await validationAuc(model, valid);
    if (auc > best.auc) {
      tf.dispose(best.weights);
      best = { auc, weights: snapshot() };
      stale = 0;
    } else stale++;
    options.onEpoch?.({ epoch, epochs: options.epochs, loss: lossSum / batches.length, validAuc: auc });
  }
  variables.forEach((v, i) => best.weights[i] && v.assign(best.weights[i]));
  tf.dispose(best.weights);
  optimizer.dispose();
}
