import { access } from 'node:fs/promises';
import { CliError, intOption, requireOption, type CliCommand } from '../cli/command.js';
import { ProgressBar } from '../cli/progress.js';
import { ADAPT_DEFAULTS, adaptModel } from './adapt.js';
import { initBackend } from './backend.js';
import { DataFormatError } from './data/dkvmn.js';
import { loadBenchmark } from './data/pid.js';
import { splitLearners } from './data/episodes.js';
import type { Dataset } from './data/interactions.js';
import { evaluate, itemsOf, validationAuc, type Metrics } from './evaluate.js';
import { createModel, isModelName } from './models/index.js';
import { NeuralModel } from './models/neural.js';
import { MODEL_NAMES, type EpochReport, type ModelName, type ModelState, type Recommender } from './models/types.js';
import { makeRng } from './random.js';
import { loadModelDir, saveModelDir } from './store.js';

/** Test AUCs reported for these splits (see ../shared/datasets/README.md): DKVMN paper; AKT paper (every row). */
const PUBLISHED: Record<string, Record<string, number>> = {
  assist2009: { DKT: 0.805, DKVMN: 0.816 },
  synthetic5: { DKT: 0.803, DKVMN: 0.827 },
  assist2009_pid: { DKT: 0.817, 'AKT-R': 0.8346 },
};

/** The cheap baselines every eval reports beside the chosen model. */
const BASELINES: ModelName[] = ['item-rate', 'heuristic', 'irt'];

const DEFAULT_EPOCHS = 10;

const common = {
  model: { type: 'string' },
  train: { type: 'string' },
  valid: { type: 'string' },
  epochs: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
} as const;

type Values = Record<string, string | boolean | string[] | undefined>;

function modelOption(values: Values): ModelName {
  const name = requireOption(values, 'model');
  if (!isModelName(name)) throw new CliError(`unknown model "${name}"; valid models: ${MODEL_NAMES.join(', ')}`);
  return name;
}

async function loadFile(file: string): Promise<Dataset> {
  try {
    await access(file);
  } catch {
    throw new CliError(`cannot read ${file}: no such file`);
  }
  try {
    return await loadBenchmark(file);
  } catch (err) {
    if (err instanceof DataFormatError) throw new CliError(`${file}: ${err.message}`);
    throw err;
  }
}

/** Training data plus the validation set: --valid, or 20% of the training learners held out (seeded). */
async function loadTrainValid(values: Values, seed: number): Promise<{ train: Dataset; valid: Dataset }> {
  const full = await loadFile(requireOption(values, 'train'));
  if (typeof values.valid === 'string') return { train: full, valid: await loadFile(values.valid) };
  return splitLearners(full, 0.2, makeRng(seed));
}

/**
 * Fits with a progress bar (epoch, loss, validation AUC, time left); resolves to the fitted model and
 * seconds spent. With `base` (a saved model of the same kind) it adapts that model instead (adapt.ts).
 */
async function fitWithProgress(model: Recommender, train: Dataset, valid: Dataset, epochs: number, seed: number, quiet: boolean, base?: ModelState): Promise<{ model: Recommender; seconds: number }> {
  const started = performance.now();
  // Only the neural models train in epochs; the baselines fit in a second or two.
  const bar = quiet || !(model instanceof NeuralModel) ? undefined : new ProgressBar(`${base ? 'adapt' : 'train'} ${model.name}`, epochs);
  const options = { epochs, seed, onEpoch: (r: EpochReport) => bar?.update(r.epoch, `loss ${r.loss.toFixed(4)} valid AUC ${r.validAuc.toFixed(4)}`) };
  const fitted = base ? await adaptModel(base, train, valid, options) : model;
  if (!base) await model.fit(train, valid, options);
  bar?.finish();
  return { model: fitted, seconds: (performance.now() - started) / 1000 };
}

/** `--adapt-from DIR`: a model saved by `train --out`, to adapt to the training file instead of training from scratch. */
async function savedBase(values: Values): Promise<ModelState | undefined> {
  const dir = values['adapt-from'];
  if (typeof dir !== 'string') return undefined;
  try {
    return (await loadModelDir(dir)).state;
  } catch {
    throw new CliError(`--adapt-from ${dir}: no saved model there (expected model.json and weights.bin, as written by train --out)`);
  }
}

const fixed = (x: number, digits = 4) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

function table(dataset: string, rows: { name: string; m?: Metrics; trainSeconds?: number }[]): string {
  const header = ['model', 'AUC', 'first5', 'first10', 'firstAtt', 'perRow', 'unseen', 'acc', 'train s', 'pred/s'];
  const lines = rows.map(({ name, m, trainSeconds }) => [
    name,
    fixed(m?.auc ?? NaN),
    fixed(m?.aucFirst5 ?? NaN),
    fixed(m?.aucFirst10 ?? NaN),
    fixed(m?.aucFirstAttempt ?? NaN),
    fixed(m?.aucPerRow ?? NaN),
    fixed(m?.aucUnseenItems ?? NaN),
    fixed(m?.accuracy ?? NaN),
    fixed(trainSeconds ?? NaN, 1),
    m ? String(Math.round(m.predictionsPerSecond)) : '–',
  ]);
  const published = PUBLISHED[dataset];
  if (published) for (const [name, value] of Object.entries(published)) lines.push([`${name} (published)`, fixed(value), ...header.slice(2).map(() => '–')]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [`test results on ${dataset}`, format(header), ...lines.map(format)].join('\n');
}

const train: CliCommand = {
  name: 'train',
  summary: 'Train a success-prediction model on a DKVMN-format file',
  usage: `train --model NAME --train FILE [--valid FILE] [--epochs N] [--seed S] [--out DIR] [--adapt-from DIR] [--json]   (models: ${MODEL_NAMES.join(', ')}; --adapt-from fine-tunes a model saved with --out on FILE, e.g. a course's answers)`,
  options: { ...common, out: { type: 'string' }, 'adapt-from': { type: 'string' } },
  async run(values) {
    const base = await savedBase(values);
    const name = base && values.model === undefined ? base.model : modelOption(values);
    if (base && base.model !== name) throw new CliError(`--adapt-from ${String(values['adapt-from'])} holds a ${base.model} model; adapt it with --model ${base.model} (or leave --model out)`);
    const seed = intOption(values, 'seed', 1);
    const epochs = intOption(values, 'epochs', base ? ADAPT_DEFAULTS.epochs : DEFAULT_EPOCHS);
    const { train: trainSet, valid } = await loadTrainValid(values, seed);
    const backend = await initBackend();
    const { model, seconds: trainSeconds } = await fitWithProgress(createModel(name), trainSet, valid, epochs, seed, values.json === true, base);
    const validAuc = await validationAuc(model, valid);
    const out = typeof values.out === 'string' ? values.out : undefined;
    if (out) {
      await saveModelDir(out, model.state(), { model: name, data: String(values.train), metrics: { validAuc }, backend, created: new Date(), ...(base ? { adaptedFrom: String(values['adapt-from']) } : {}) });
    }
    if (values.json !== true) console.log(`${name}: validation AUC ${fixed(validAuc)} after ${fixed(trainSeconds, 1)} s${out ? `, saved to ${out}` : ''}`);
    console.log(JSON.stringify({ model: name, dataset: trainSet.name, validAuc, trainSeconds, backend, out: out ?? null }));
  },
};

/** What the network scores without its IRT blend (reported beside the blend it ships with). */
async function evaluateNetworkAlone(model: NeuralModel, test: Dataset, trainItems: ReadonlySet<string>): Promise<Metrics> {
  const blend = model.blend;
  model.blend = undefined;
  try {
    return await evaluate(model, test, trainItems);
  } finally {
    model.blend = blend;
  }
}

/** The figures an eval reports per model (the JSON keeps these names). */
function scores(m: Metrics, trainSeconds: number) {
  const { auc, aucFirst5, aucFirst10, aucFirstAttempt, aucPerRow, aucUnseenItems, accuracy } = m;
  return { auc, aucFirst5, aucFirst10, aucFirstAttempt, aucPerRow, aucUnseenItems, accuracy, trainSeconds };
}

const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'Train on one file, evaluate on a test file (standard and few-shot protocols) beside the baselines',
  usage: `eval --model NAME --train FILE --test FILE [--valid FILE] [--epochs N] [--seed S] [--json]   (models: ${MODEL_NAMES.join(', ')})`,
  options: { ...common, test: { type: 'string' } },
  async run(values) {
    const name = modelOption(values);
    const seed = intOption(values, 'seed', 1);
    const epochs = intOption(values, 'epochs', DEFAULT_EPOCHS);
    const test = await loadFile(requireOption(values, 'test'));
    const { train: trainSet, valid } = await loadTrainValid(values, seed);
    const backend = await initBackend();
    const trainItems = itemsOf(trainSet);
    const rows: { name: string; m: Metrics; trainSeconds: number }[] = [];
    for (const modelName of [...BASELINES.filter((b) => b !== name), name]) {
      const { model, seconds: trainSeconds } = await fitWithProgress(createModel(modelName), trainSet, valid, epochs, seed, values.json === true);
      if (model instanceof NeuralModel && model.blend) rows.push({ name: `${modelName} (network alone)`, m: await evaluateNetworkAlone(model, test, trainItems), trainSeconds });
      rows.push({ name: modelName, m: await evaluate(model, test, trainItems), trainSeconds });
    }
    const { m, trainSeconds } = rows[rows.length - 1];
    if (values.json !== true) console.log(table(test.name, rows));
    const baselines = Object.fromEntries(rows.slice(0, -1).map((r) => [r.name, scores(r.m, r.trainSeconds)]));
    console.log(JSON.stringify({ model: name, dataset: test.name, ...scores(m, trainSeconds), predictionsPerSecond: m.predictionsPerSecond, backend, baselines }));
  },
};

export const recommendCommands: CliCommand[] = [train, evalCommand];
