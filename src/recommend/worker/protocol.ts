import type { Dataset } from '../data/interactions.js';
import type { EpochReport, ModelName, ModelState } from '../models/types.js';

/** What the server sends a training worker. */
export interface FitRequest {
  model: ModelName;
  train: Dataset;
  valid: Dataset;
  epochs: number;
  seed: number;
  /** Adapt this saved model to the data instead of training from scratch (adapt.ts). */
  base?: ModelState;
  /** The version serving the scope now, evaluated on the same held-out learners (champion/challenger). */
  champion?: ModelState;
}

/** What a training worker reports back, in order: backend, epochs, then done or failed. */
export type FitMessage =
  | { type: 'backend'; backend: string }
  | { type: 'epoch'; report: EpochReport }
  | { type: 'done'; state: ModelState; validAuc: number; championAuc?: number; trainSeconds: number; backend: string }
  | { type: 'failed'; message: string };
