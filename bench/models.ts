// Recommender benchmark: per model, training time to its test AUCs (all, first 5 / 10 answers, first
// attempts, per row, unseen items; wasm), prediction latency for 500 candidates after a 20-interaction
// history (p50), and the cpu/wasm time ratio of a training step and of a prediction, all measured in
// this run. BENCH_EPOCHS sets the training length, BENCH_DATA the data set (assist2009, assist2009_pid,
// synthetic5), BENCH_MODELS a comma-separated subset of the models.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useBackend, type BackendName } from '../src/recommend/backend.js';
import { loadBenchmark } from '../src/recommend/data/pid.js';
import { causalEpisodes, splitLearners } from '../src/recommend/data/episodes.js';
import type { ItemRef } from '../src/recommend/data/interactions.js';
import { evaluate, itemsOf } from '../src/recommend/evaluate.js';
import { bucketEpisodes, disposeBatch, toBatch } from '../src/recommend/models/batch.js';
import { createModel } from '../src/recommend/models/index.js';
import { NeuralModel } from '../src/recommend/models/neural.js';
import { MODEL_NAMES, type Recommender } from '../src/recommend/models/types.js';
import { predict } from '../src/recommend/predict.js';
import { makeRng } from '../src/recommend/random.js';
import { batchLoss } from '../src/recommend/train.js';

const dataName = process.env.BENCH_DATA ?? 'assist2009';
const data = path.join(process.cwd(), '..', 'shared', 'datasets', dataName);
const epochs = Number(process.env.BENCH_EPOCHS ?? 1);
const modelNames = process.env.BENCH_MODELS ? MODEL_NAMES.filter((m) => process.env.BENCH_MODELS!.split(',').includes(m)) : MODEL_NAMES;
const full = await loadBenchmark(path.join(data, 'train.csv'));
const testSet = await loadBenchmark(path.join(data, 'test.csv'));
const { train, valid } = splitLearners(full, 0.2, makeRng(1));
const trainItems = itemsOf(train);
const history = full.learners.find((l) => l.interactions.length >= 20)!.interactions.slice(0, 20);
// Distinct training items with their skill tags, repeated up to 500.
const distinct = [...new Map(train.learners.flatMap((l) => l.interactions).map((x) => [x.itemId, { itemId: x.itemId, skills: x.skills }])).values()];
const candidates: ItemRef[] = Array.from({ length: 500 }, (_, i) => distinct[i % distinct.length]);
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
console.log(`model       train s (${epochs} ep)  test AUC  first5  first10  unseen  predict p50 ms wasm  cpu  ratio  step ms wasm  cpu  ratio`);
for (const name of modelNames) {
  await useBackend('wasm');
  const model = createModel(name);
  const t = performance.now();
  await model.fit(train, valid, { epochs, seed: 1 });
  const trainSeconds = (performance.now() - t) / 1000;
  const { auc, aucFirst5, aucFirst10, aucFirstAttempt, aucPerRow, aucUnseenItems } = await evaluate(model, testSet, trainItems);
  const wasm = await speeds(name, 'wasm', model);
  const cpu = await speeds(name, 'cpu', model);
  const r = {
    trainSeconds,
    auc,
    aucFirst5,
    aucFirst10,
    aucFirstAttempt,
    aucPerRow,
    aucUnseenItems,
    predictP50MsWasm: wasm.predictMs,
    predictP50MsCpu: cpu.predictMs,
    predictCpuOverWasm: cpu.predictMs / wasm.predictMs,
    stepMsWasm: wasm.stepMs,
    stepMsCpu: cpu.stepMs,
    stepCpuOverWasm: cpu.stepMs / wasm.stepMs,
  };
  results[name] = r;
  console.log(
    [name.padEnd(10), fmt(trainSeconds, 1).padStart(18), fmt(auc, 4).padStart(9), fmt(aucFirst5, 4).padStart(7), fmt(aucFirst10, 4).padStart(8), fmt(aucUnseenItems, 4).padStart(7), fmt(r.predictP50MsWasm).padStart(20), fmt(r.predictP50MsCpu).padStart(5), fmt(r.predictCpuOverWasm, 1).padStart(6), fmt(r.stepMsWasm, 0).padStart(13), fmt(r.stepMsCpu, 0).padStart(5), fmt(r.stepCpuOverWasm, 1).padStart(6)].join(' '),
  );
  tf.disposeVariables();
}
console.log(JSON.stringify({ dataset: dataName, epochs, candidates: 500, history: 20, models: results }));
