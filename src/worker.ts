import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on a module next to the caller (`new URL('./x_worker', import.meta.url)`,
 * without extension). Under tsx (development, tests) a worker does not inherit the TypeScript
 * loader, so it registers tsx before importing the entry; the built server runs the .js.
 */
export function startModuleWorker(entry: URL, options: WorkerOptions = {}): Worker {
  const compiled = import.meta.url.endsWith('.js');
  const url = new URL(`${entry.href}${compiled ? '.js' : '.ts'}`);
  if (compiled) return new Worker(url, options);
  const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
