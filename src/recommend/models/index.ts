import { DktModel, DKT_DEFAULTS } from './dkt.js';
import { HeuristicModel } from './heuristic.js';
import { IrtModel } from './irt.js';
import { ItemRateModel } from './item-rate.js';
import { MamlModel, MAML_DEFAULTS } from './maml.js';
import { MatchingNetwork, MATCHING_DEFAULTS } from './matching.js';
import type { NeuralConfig, NeuralModel } from './neural.js';
import { PrototypicalNetwork, PROTO_DEFAULTS } from './proto.js';
import { RelationNetwork, RELATION_DEFAULTS } from './relation.js';
import { MODEL_NAMES, type ModelName, type ModelState, type Recommender } from './types.js';

const NEURAL: Record<string, { defaults: NeuralConfig; make: (config: NeuralConfig) => NeuralModel }> = {
  matching: { defaults: MATCHING_DEFAULTS, make: (c) => new MatchingNetwork(c) },
  relation: { defaults: RELATION_DEFAULTS, make: (c) => new RelationNetwork(c) },
  proto: { defaults: PROTO_DEFAULTS, make: (c) => new PrototypicalNetwork(c) },
  maml: { defaults: MAML_DEFAULTS, make: (c) => new MamlModel(c) },
  dkt: { defaults: DKT_DEFAULTS, make: (c) => new DktModel(c) },
};

/** Whether a model kind trains in steps, so it can be adapted to a course (adapt.ts). */
export function isNeural(name: ModelName): boolean {
  return name in NEURAL;
}

export function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

/** A fresh, untrained model; `config` overrides a neural model's defaults (e.g. smaller for tests). */
export function createModel(name: ModelName, config?: Partial<NeuralConfig>): Recommender {
  const neural = NEURAL[name];
  if (neural) return neural.make({ ...neural.defaults, ...config } as NeuralConfig);
  if (name === 'item-rate') return new ItemRateModel();
  if (name === 'heuristic') return new HeuristicModel();
  return new IrtModel();
}

/** Rebuilds a trained model from a saved state. */
export function modelFromState(state: ModelState): Recommender {
  const neural = NEURAL[state.model];
  if (neural) {
    const model = neural.make(state.json.config as NeuralConfig);
    model.load(state);
    return model;
  }
  if (state.model === 'item-rate') return ItemRateModel.fromState(state);
  if (state.model === 'heuristic') return HeuristicModel.fromState(state);
  if (state.model === 'irt') return IrtModel.fromState(state);
  throw new Error(`unknown model "${state.model}" in saved state`);
}
