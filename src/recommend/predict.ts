import { candidateEpisode } from './data/episodes.js';
import type { Interaction, ItemRef } from './data/interactions.js';
import { modelFromState } from './models/index.js';
import type { Recommender } from './models/types.js';
import { activeVersionId, loadVersion } from './store.js';

/** One learner's question to the model: their history and the candidate items. */
export interface PredictRequest {
  history: Interaction[];
  candidates: ItemRef[];
}

let active: { model: Recommender; versionId?: string } | undefined;

/** Serves predictions from `model` from now on (hot swap: in-flight calls keep the model they started with). */
export function useModel(model: Recommender, versionId?: string): void {
  active = { model, versionId };
}

/** Loads the store's active version when it differs from the one being served; returns the served version id. */
export async function refreshActiveModel(): Promise<string | undefined> {
  const id = await activeVersionId();
  if (id && id !== active?.versionId) useModel(modelFromState((await loadVersion(id)).state), id);
  return active?.versionId;
}

function servingModel(model?: Recommender): Recommender {
  const m = model ?? active?.model;
  if (!m) throw new Error('no recommender model is loaded');
  return m;
}

/** Success probabilities of every candidate for several learners, in one batched pass. */
export async function predictMany(requests: PredictRequest[], model?: Recommender): Promise<Float32Array[]> {
  return servingModel(model).predict(requests.map((r) => candidateEpisode(r.history, r.candidates)));
}

/** P(correct) on each candidate item as the learner's next attempt, given their history (the support set). */
export async function predict(history: Interaction[], candidates: ItemRef[], model?: Recommender): Promise<Float32Array> {
  return (await predictMany([{ history, candidates }], model))[0];
}
