import type { Dataset } from '../data/interactions.js';
import type { Episode } from '../data/episodes.js';

export const MODEL_NAMES = ['matching', 'relation', 'proto', 'maml', 'item-rate', 'heuristic', 'irt', 'dkt'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface EpochReport {
  epoch: number;
  epochs: number;
  loss: number;
  validAuc: number;
}

export interface FitOptions {
  epochs: number;
  seed: number;
  /** Stop after this many epochs without a better validation AUC. */
  patience?: number;
  /** Fine-tuning (adapt.ts): a step size other than the model's own, smaller batches (more steps on little data), and the starting weights kept unless an epoch beats them. */
  learningRate?: number;
  maxBatch?: number;
  keepStart?: boolean;
  onEpoch?: (report: EpochReport) => void;
}

/** Everything needed to rebuild a trained model: JSON metadata plus one flat block of float weights. */
export interface ModelState {
  model: ModelName;
  json: Record<string, unknown>;
  tensors: { name: string; shape: number[] }[];
  weights: Float32Array;
}

/** A success predictor: for each episode, P(correct) for every query item given the allowed support. */
export interface Recommender {
  readonly name: ModelName;
  fit(train: Dataset, valid: Dataset, options: FitOptions): Promise<void>;
  predict(episodes: Episode[]): Promise<Float32Array[]>;
  state(): ModelState;
}
