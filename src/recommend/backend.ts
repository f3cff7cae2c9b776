import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

let wasmPathsSet = false;

/** Registers the wasm binaries from node_modules (Node cannot fetch them by URL). */
function prepareWasm(): void {
  if (wasmPathsSet) return;
  const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  setWasmPaths(path.dirname(entry) + path.sep);
  wasmPathsSet = true;
}

/** Switches to one backend; resolves false when it cannot be loaded here. */
export async function useBackend(name: BackendName): Promise<boolean> {
  try {
    if (name === 'tensorflow') {
      // Optional native backend: not a dependency, so import it by a computed name.
      const nativeModule = '@tensorflow/tfjs-node';
      await import(nativeModule);
    }
    if (name === 'wasm') prepareWasm();
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/** tfjs-node when it loads, else wasm, else cpu; logs the choice once on stderr. */
export async function initBackend(log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<BackendName> {
  for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
    if (await useBackend(name)) {
      log(`tensorflow.js backend: ${name}`);
      return name;
    }
  }
  throw new Error('no TensorFlow.js backend could be loaded');
}

export function currentBackend(): string {
  return tf.getBackend();
}

let chosen: Promise<BackendName> | undefined;

/** Picks the backend once per thread (the server loads models lazily, on the first recommendation). */
export function ensureBackend(log?: (line: string) => void): Promise<BackendName> {
  chosen ??= initBackend(log);
  return chosen;
}
