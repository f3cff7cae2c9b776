import * as tf from '@tensorflow/tfjs';
import type { Dataset } from './data/interactions.js';
import { ItemSpace } from './data/items.js';
import { SupportBlend } from './models/blend.js';
import { modelFromState } from './models/index.js';
import { MIN_ITEM_ANSWERS, NeuralModel } from './models/neural.js';
import type { FitOptions, ModelState } from './models/types.js';
import { trainNeural } from './train.js';

/**
 * Online adaptation to a course: the course's model starts from the tenant-wide (or pre-trained)
 * one and is fine-tuned on the course's own answers, instead of being trained from scratch on a
 * class that is usually too small for that.
 *
 * 1. The item space grows by the course's items that the base model has no id weights for (new
 *    items, or items too rare in the tenant's data) and their new skills. A new item's id rows start
 *    as a copy of the shared unseen-item row, so before any step the adapted model predicts exactly
 *    what the base predicted for it (through its skills and features), and moves from there.
 * 2. Continued training on the course's learners (every prefix a support set, as in meta-training)
 *    with small batches, so a class of 50 gives a few steps per epoch, early stopping on the course's
 *    own validation learners; the starting weights count as epoch 0, so adaptation never keeps
 *    weights that validate worse than the base.
 * 3. The IRT blend is refitted on the course (hierarchical IRT on its answers: course-level item
 *    statistics shrunk to their skills; blend weights by support size on its validation learners).
 */

/** Fine-tuning defaults: short runs, small batches; the step size is the model's own (Adam's steps are already small). */
export const ADAPT_DEFAULTS = { epochs: 12, patience: 3, maxBatch: 8 };

/** The weight tables indexed by item-space column (every neural model's item embedding and item prior). */
const ITEM_TABLES = new Set(['embed', 'prior']);

/**
 * For each column of `to`, the column of `from` whose weights it starts with: the same item, skill
 * or feature; a new item the unseen-item column (0); a new skill none (-1, zero weights).
 */
export function columnMap(from: ItemSpace, to: ItemSpace): number[] {
  const { itemIds, skillIds, featureCount } = to.json;
  const skillBase = 1 + from.json.itemIds.length;
  const fromSkills = new Map(from.json.skillIds.map((s, i) => [s, skillBase + i]));
  const featureBase = skillBase + from.json.skillIds.length;
  return [
    0,
    ...itemIds.map((id) => 1 + Math.max(-1, from.itemIndexOf(id))),
    ...skillIds.map((s) => fromSkills.get(s) ?? -1),
    ...Array.from({ length: featureCount }, (_, f) => (f < from.json.featureCount ? featureBase + f : -1)),
  ];
}

/** The base's items plus the course's items answered at least `minAnswers` times that it lacks, and any new skills. */
export function widenedSpace(base: ItemSpace, course: Dataset, minAnswers: number): ItemSpace {
  const seen = ItemSpace.fromDataset(course, minAnswers).json;
  const skills = new Set(base.json.skillIds);
  return new ItemSpace({
    itemIds: [...base.json.itemIds, ...seen.itemIds.filter((id) => base.itemIndexOf(id) < 0)],
    skillIds: [...base.json.skillIds, ...seen.skillIds.filter((s) => !skills.has(s))],
    featureCount: base.json.featureCount,
  });
}

/** Re-creates the model's weights on a wider item space, carrying every trained row over (see `columnMap`). */
function widen(model: NeuralModel, space: ItemSpace): void {
  if (space.width === model.space.width) return;
  const map = columnMap(model.space, space);
  const old = new Map([...model.params.variables].map(([name, v]) => [name, { shape: v.shape, values: (v.dataSync() as Float32Array).slice() }]));
  model.init(space, 0);
  for (const [name, v] of model.params.variables) {
    const { shape, values } = old.get(name)!;
    if (!ITEM_TABLES.has(name)) {
      v.assign(tf.tensor(values, shape));
      continue;
    }
    const cols = shape[1] ?? 1;
    const rows = new Float32Array(space.width * cols);
    map.forEach((from, row) => from >= 0 && rows.set(values.subarray(from * cols, (from + 1) * cols), row * cols));
    v.assign(tf.tensor(rows, [space.width, cols]));
  }
}

export interface AdaptOptions extends Partial<Pick<FitOptions, 'epochs' | 'patience' | 'learningRate' | 'maxBatch' | 'onEpoch'>> {
  seed: number;
}

/** A course's model: `base` (a saved neural model) adapted on the course's training learners, early-stopped on its validation learners. */
export async function adaptModel(base: ModelState, train: Dataset, valid: Dataset, o: AdaptOptions): Promise<NeuralModel> {
  const model = modelFromState(base);
  if (!(model instanceof NeuralModel)) throw new Error(`a ${base.model} model cannot be adapted (only the neural models learn in steps); train the course from scratch instead`);
  model.blend = undefined; // early stopping judges the network alone, as in training
  widen(model, widenedSpace(model.space, train, model.config.minItemAnswers ?? MIN_ITEM_ANSWERS));
  await trainNeural(model, train, valid, { ...ADAPT_DEFAULTS, ...o, keepStart: true });
  if ((model.config.blend ?? 1) !== 0) model.blend = await SupportBlend.fit((e) => model.predictNetwork(e), model.knows, train, valid);
  return model;
}
