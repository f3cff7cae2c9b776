import { parentPort, workerData } from 'node:worker_threads';
import { adaptModel } from '../adapt.js';
import { initBackend } from '../backend.js';
import { validationAuc } from '../evaluate.js';
import { createModel, modelFromState } from '../models/index.js';
import type { EpochReport } from '../models/types.js';
import type { FitMessage, FitRequest } from './protocol.js';

/**
 * Training off the server's event loop: this thread fits one model on data the server loaded,
 * reports every epoch, and sends back the weights. It touches no database and no network.
 */
const post = (m: FitMessage) => parentPort!.postMessage(m);

async function run(req: FitRequest): Promise<void> {
  const backend = await initBackend(() => {});
  post({ type: 'backend', backend });
  const started = performance.now();
  const options = { epochs: req.epochs, seed: req.seed, onEpoch: (report: EpochReport) => post({ type: 'epoch', report }) };
  const model = req.base ? await adaptModel(req.base, req.train, req.valid, options) : createModel(req.model);
  if (!req.base) await model.fit(req.train, req.valid, options); // adaptModel fitted it already
  const trainSeconds = (performance.now() - started) / 1000;
  const validAuc = await validationAuc(model, req.valid);
  const championAuc = req.champion ? await validationAuc(modelFromState(req.champion), req.valid) : undefined;
  post({ type: 'done', state: model.state(), validAuc, championAuc, trainSeconds, backend });
}

run(workerData as FitRequest).catch((err: unknown) => post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }));
