import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/interactions.js';
import type { Episode } from '../data/episodes.js';
import type { ItemRef } from '../data/interactions.js';
import { ItemSpace, type ItemSpaceJson } from '../data/items.js';
import { makeRng } from '../random.js';
import { bucketEpisodes, disposeBatch, toBatch, type EpisodeBatch } from './batch.js';
import { SupportBlend, type BlendJson } from './blend.js';
import { Params } from './layers.js';
import type { FitOptions, ModelName, ModelState, Recommender } from './types.js';
import { trainNeural } from '../train.js';

/** Items answered fewer times in training get no id weights of their own, nor this share of the others (see ItemSpace.fromDataset). */
export const MIN_ITEM_ANSWERS = 3;
const UNSEEN_SHARE = 0.05;

/** Sizes and optimiser settings of a neural model; each model adds its own. */
export interface NeuralConfig {
  dim: number;
  learningRate: number;
  /** Max batch × query × support pairs per step (attention is quadratic in length). */
  pairBudget: number;
  maxBatch: number;
  [key: string]: number;
}

/**
 * Shared plumbing of the TensorFlow.js models: seeded weights, batching, training, saving.
 * A subclass declares its weights in `build` and its math in `logits` (one logit per query).
 */
export abstract class NeuralModel implements Recommender {
  abstract readonly name: ModelName;
  space!: ItemSpace;
  params!: Params;
  /** Fitted after training (config.blend = 1, the default): the network blended with IRT by support size. */
  blend?: SupportBlend;

  constructor(readonly config: NeuralConfig) {}

  protected abstract build(params: Params, width: number): void;
  abstract logits(batch: EpisodeBatch): tf.Tensor2D;

  /** Creates the weights for an item space (fresh, seeded). */
  init(space: ItemSpace, seed: number): void {
    this.space = space;
    this.params?.variables.forEach((v) => v.dispose());
    this.params = new Params(makeRng(seed));
    this.build(this.params, space.width);
  }

  async fit(train: Dataset, valid: Dataset, options: FitOptions): Promise<void> {
    this.blend = undefined; // training's early stopping judges the network alone
    this.init(ItemSpace.fromDataset(train, this.config.minItemAnswers ?? MIN_ITEM_ANSWERS, this.config.unseenShare ?? UNSEEN_SHARE), options.seed);
    await trainNeural(this, train, valid, options);
    if ((this.config.blend ?? 1) !== 0) this.blend = await SupportBlend.fit((e) => this.predictNetwork(e), this.knows, train, valid);
  }

  batches(episodes: Episode[], maxBatch = this.config.maxBatch): Episode[][] {
    return bucketEpisodes(episodes, this.config.pairBudget, maxBatch);
  }

  async predict(episodes: Episode[]): Promise<Float32Array[]> {
    const net = await this.predictNetwork(episodes);
    return this.blend ? this.blend.apply(episodes, net, this.knows) : net;
  }

  /** Whether the item has id weights of its own (else the network sees only its skills and features). */
  readonly knows = (item: ItemRef): boolean => this.space.itemIndexOf(item.itemId) >= 0;

  /** The network's own predictions, without the blend. */
  async predictNetwork(episodes: Episode[]): Promise<Float32Array[]> {
    const out = new Array<Float32Array>(episodes.length);
    const index = new Map(episodes.map((e, i) => [e, i]));
    for (const group of bucketEpisodes(episodes, this.config.pairBudget * 4, this.config.maxBatch * 4)) {
      const batch = toBatch(group, this.space);
      const probs = tf.tidy(() => tf.sigmoid(this.logits(batch)));
      const [, width] = probs.shape;
      const values = (await probs.data()) as Float32Array;
      probs.dispose();
      disposeBatch(batch);
      group.forEach((e, n) => (out[index.get(e)!] = values.slice(n * width, n * width + e.query.length)));
    }
    return out;
  }

  state(): ModelState {
    const tensors = [...this.params.variables].map(([name, v]) => ({ name, shape: v.shape }));
    const chunks = [...this.params.variables.values()].map((v) => v.dataSync() as Float32Array);
    const weights = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
    chunks.reduce((offset, c) => (weights.set(c, offset), offset + c.length), 0);
    return { model: this.name, json: { config: this.config, itemSpace: this.space.json, blend: this.blend?.json() }, tensors, weights };
  }

  /** Restores weights saved by `state()` (the model must have been constructed with the same config). */
  load(state: ModelState): void {
    this.init(new ItemSpace(state.json.itemSpace as ItemSpaceJson), 0);
    this.blend = state.json.blend ? SupportBlend.fromJson(state.json.blend as BlendJson) : undefined;
    let offset = 0;
    for (const { name, shape } of state.tensors) {
      const size = shape.reduce((a, b) => a * b, 1);
      this.params.get(name).assign(tf.tensor(state.weights.subarray(offset, offset + size), shape));
      offset += size;
    }
  }
}
