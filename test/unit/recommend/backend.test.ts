import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../../src/recommend/backend.js';
import { causalEpisodes } from '../../../src/recommend/data/episodes.js';
import { ItemSpace } from '../../../src/recommend/data/items.js';
import { disposeBatch, toBatch } from '../../../src/recommend/models/batch.js';
import { createModel } from '../../../src/recommend/models/index.js';
import { lookup } from '../../../src/recommend/models/layers.js';
import type { NeuralModel } from '../../../src/recommend/models/neural.js';
import { batchLoss } from '../../../src/recommend/train.js';
import { plantedDataset, TINY } from './fixtures.js';

const data = plantedDataset(6, 11, 20);
const space = ItemSpace.fromDataset(data);

/** Loss and gradients of one training step on the current backend, from seeded weights. */
function oneStep(name: 'matching' | 'relation' | 'proto' | 'maml' | 'dkt'): { loss: number; grads: Float32Array[] } {
  const model = createModel(name, TINY) as NeuralModel;
  model.init(space, 9);
  const batch = toBatch(causalEpisodes(data), space);
  const variables = [...model.params.variables.values()];
  const { value, grads } = tf.variableGrads(() => batchLoss(model, batch), variables);
  const out = { loss: value.dataSync()[0], grads: variables.map((v) => grads[v.name].dataSync() as Float32Array) };
  tf.dispose([value, ...Object.values(grads), ...variables]);
  disposeBatch(batch);
  return out;
}

function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-4, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

for (const name of ['matching', 'relation', 'proto', 'maml', 'dkt'] as const) {
  test(`${name}: one training step agrees on cpu and wasm (loss and every gradient to 1e-4)`, async () => {
    assert.ok(await useBackend('cpu'));
    const cpu = oneStep(name);
    assert.ok(await useBackend('wasm'));
    const wasm = oneStep(name);
    assertClose([cpu.loss], [wasm.loss], 'loss');
    cpu.grads.forEach((g, i) => assertClose(g, wasm.grads[i], `gradient ${i}`));
  });
}

test('the lookup (gather with a scatter-add gradient) has the gradient of tf.gather (checked against cpu), and works on wasm', async () => {
  const tableValues = Float32Array.from({ length: 15 }, (_, i) => Math.sin(i));
  const indices = [
    [0, 2, 2],
    [4, 1, 0],
  ];
  const weights = Float32Array.from({ length: 18 }, (_, i) => Math.cos(i));
  const loss = (table: tf.Tensor, rows: (t: tf.Tensor) => tf.Tensor) => rows(table).mul(tf.tensor(weights, [2, 3, 3])).sum() as tf.Scalar;
  assert.ok(await useBackend('cpu'));
  const gatherGrad = tf.grad((t) => loss(t, (x) => tf.gather(x, tf.tensor2d(indices, [2, 3], 'int32'))))(tf.tensor2d(tableValues, [5, 3])).dataSync();
  assert.ok(await useBackend('wasm'));
  const lookupGrad = tf.grad((t) => loss(t, (x) => lookup(x, tf.tensor2d(indices, [2, 3], 'int32'))))(tf.tensor2d(tableValues, [5, 3])).dataSync();
  assertClose(gatherGrad, lookupGrad, 'table gradient');
});
