import { Worker } from 'node:worker_threads';
import type { FitMessage, FitRequest } from './protocol.js';

const entry = new URL(`./fit_worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * Starts a training worker. Under tsx (development, tests) a worker does not inherit the
 * TypeScript loader, so it registers tsx before importing the entry; the built server runs the .js.
 */
function startWorker(data: FitRequest): Worker {
  if (entry.pathname.endsWith('.js')) return new Worker(entry, { workerData: data });
  const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

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
