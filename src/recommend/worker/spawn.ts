import { startModuleWorker } from '../../worker.js';
import type { FitMessage, FitRequest } from './protocol.js';

const startWorker = (data: FitRequest) => startModuleWorker(new URL('./fit_worker', import.meta.url), { workerData: data });

/** Fits in a worker thread; `onMessage` sees every report; resolves with the final one ('done' or 'failed'). */
export function fitInWorker(request: FitRequest, onMessage: (m: FitMessage) => void): Promise<Extract<FitMessage, { type: 'done' | 'failed' }>> {
  return new Promise((resolve) => {
    const worker = startWorker(request);
    let settled = false;
    const settle = (m: Extract<FitMessage, { type: 'done' | 'failed' }>) => {
      if (settled) return;
      settled = true;
      onMessage(m);
      resolve(m);
      void worker.terminate();
    };
    worker.on('message', (m: FitMessage) => (m.type === 'done' || m.type === 'failed' ? settle(m) : onMessage(m)));
    worker.on('error', (err) => settle({ type: 'failed', message: err.message }));
    worker.on('exit', (code) => settle({ type: 'failed', message: `the training worker stopped (exit code ${code})` }));
  });
}
