// Recommender benchmark: per model, training time to its ASSIST2009 test AUC (wasm), prediction
// latency for 500 candidates after a 20-interaction history (p50), and the cpu/wasm time ratio
// of a training step and of a prediction, all measured in this run. BENCH_EPOCHS sets the training length.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useBackend, type BackendName } from '../src/recommend/backend.js';
import { loadDkvmn } from '../src/recommend/data/dkvmn.js';
import { causalEpisodes, splitLearners } from '../src/recommend/data/episodes.js';
import type { ItemRef } from '../src/recommend/data/interactions.js';
import { ItemSpace } from '../src/recommend/data/items.js';
import { evaluate } from '../src/recommend/evaluate.js';
import { bucketEpisodes, disposeBatch, toBatch } from '../src/recommend/models/batch.js';
import { createModel } from '../src/recommend/models/index.js';
import { NeuralModel } from '../src/recommend/models/neural.js';
import { MODEL_NAMES, type Recommender } from '../src/recommend/models/types.js';
import { predict } from '../src/recommend/predict.js';
import { makeRng } from '../src/recommend/random.js';
import { batchLoss } from '../src/recommend/train.js';

const data = path.join(process.cwd(), '..', 'shared', 'datasets', 'assist2009');
const epochs = Number(process.env.BENCH_EPOCHS ?? 1);
const full = await loadDkvmn(path.join(data, 'train.csv'));
const testSet = await loadDkvmn(path.join(data, 'test.csv'));
const { train, valid } = splitLearners(full, 0.2, makeRng(1));
const space = ItemSpace.fromDataset(train);
const history = full.learners.find((l) => l.interactions.length >= 20)!.interactions.slice(0, 20);
const candidates: ItemRef[] = Array.from({ length: 500 }, (_, i) => ({ itemId: space.json.itemIds[i % space.json.itemIds.length], skills: [space.json.itemIds[i % space.json.itemIds.length]] }));
// A typical training step: the middle batch by length, with the attention models' batching.
const batches = bucketEpisodes(causalEpisodes(train), 160_000, 64);
const typicalBatch = batches[Math.floor(batches.length / 2)];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeMs(repeats: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  await fn(); // warm-up (kernel compilation, allocation)
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Median prediction latency and (neural models) training-step time on one backend, from fresh weights. */
async function speeds(name: (typeof MODEL_NAMES)[number], backend: BackendName, fitted: Recommender): Promise<{ predictMs: number; stepMs: number }> {
  if (!(await useBackend(backend))) throw new Error(`backend ${backend} unavailable`);
  let model = fitted;
  if (fitted instanceof NeuralModel) {
    const fresh = createModel(name) as NeuralModel;
    fresh.load(fitted.state()); // same weights, tensors on this backend
    model = fresh;
  }
  const predictMs = await timeMs(backend === 'cpu' ? 5 : 30, () => predict(history, candidates, model));
  let stepMs = NaN;
  if (model instanceof NeuralModel) {
    const neural = model;
    const variables = [...neural.params.variables.values()];
    const optimizer = tf.train.adam(0);
    stepMs = await timeMs(3, async () => {
      const batch = toBatch(typicalBatch, neural.space);
      const cost = optimizer.minimize(() => batchLoss(neural, batch), true, variables);
      await cost!.data();
      cost!.dispose();
      disposeBatch(batch);
    });
    optimizer.dispose();
  }
  return { predictMs, stepMs };
}

const results: Record<string, Record<string, number>> = {};
const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
console.log(`model       train s (${epochs} ep)  test AUC  predict p50 ms wasm  cpu  ratio  step ms wasm  cpu  ratio`);
for (const name of MODEL_NAMES) {
  await useBackend('wasm');
  const model = createModel(name);
  const t = performance.now();
  await model.fit(train, valid, { epochs, seed: 1 });
  const trainSeconds = (performance.now() - t) / 1000;
  const { auc } = await evaluate(model, testSet);
  const wasm = await speeds(name, 'wasm', model);
  const cpu = await speeds(name, 'cpu', model);
  const r = {
    trainSeconds,
    auc,
    predictP50MsWasm: wasm.predictMs,
    predictP50MsCpu: cpu.predictMs,
    predictCpuOverWasm: cpu.predictMs / wasm.predictMs,
    stepMsWasm: wasm.stepMs,
    stepMsCpu: cpu.stepMs,
    stepCpuOverWasm: cpu.stepMs / wasm.stepMs,
  };
  results[name] = r;
  console.log(
    [name.padEnd(10), fmt(trainSeconds, 1).padStart(18), fmt(auc, 4).padStart(9), fmt(r.predictP50MsWasm).padStart(20), fmt(r.predictP50MsCpu).padStart(5), fmt(r.predictCpuOverWasm, 1).padStart(6), fmt(r.stepMsWasm, 0).padStart(13), fmt(r.stepMsCpu, 0).padStart(5), fmt(r.stepCpuOverWasm, 1).padStart(6)].join(' '),
  );
  tf.disposeVariables();
}
console.log(JSON.stringify({ dataset: 'assist2009', epochs, candidates: 500, history: 20, models: results }));
