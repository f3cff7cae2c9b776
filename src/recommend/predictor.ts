import { searchItems } from '../content/catalog.js';
import { log } from '../log.js';
import { datasetFromLearnerStates, itemRef } from './data/activity.js';
import { candidateEpisode } from './data/episodes.js';
import type { Dataset, ItemRef } from './data/interactions.js';
import { FALLBACK_VERSION, PerSkillIrt } from './fallback.js';
import type { Recommender } from './models/types.js';
import { predictMany, servedModel, type PredictRequest } from './predict.js';

/**
 * What the policy asks for predictions: a served model version from the store, or the fallback
 * while none is active. `version` goes into every recommendation statement.
 */
export interface Predictor {
  version: string;
  predict(requests: PredictRequest[]): Promise<Float32Array[]>;
}

/** A predictor from a loaded model (the simulator passes one it loaded or trained). */
export function predictorOf(model: Recommender | PerSkillIrt, version: string): Predictor {
  return { version, predict: (requests) => model.predict(requests.map((r) => candidateEpisode(r.history, r.candidates))) };
}

/** The fallback fitted on a dataset (the course's log, or nothing) plus the items' authored difficulties. */
export async function fallbackPredictor(data: Dataset, items: ItemRef[]): Promise<Predictor> {
  return predictorOf(await PerSkillIrt.fit(data, items), FALLBACK_VERSION);
}

/**
 * A course's fallback is refitted at most this often, from its learner states (read by `_id`, never
 * the log: this runs on a request path). A stale one keeps serving while its refit runs in the
 * background, so no request waits for a refit after the first.
 */
const FALLBACK_TTL_MS = 10 * 60_000;
const fallbacks = new Map<string, { at: number; predictor: Promise<Predictor>; refit?: Promise<unknown> }>();

function fitCourseFallback(tenantId: string, courseId: string): Promise<Predictor> {
  const scope = { tenantId, courseId };
  return searchItems(scope).then(async (items) => fallbackPredictor(await datasetFromLearnerStates(scope, items), items.map(itemRef)));
}

async function courseFallback(tenantId: string, courseId: string): Promise<Predictor> {
  const key = `${tenantId}\u0000${courseId}`;
  const cached = fallbacks.get(key);
  if (!cached) {
    const predictor = fitCourseFallback(tenantId, courseId);
    fallbacks.set(key, { at: Date.now(), predictor });
    predictor.catch(() => fallbacks.delete(key));
    return predictor;
  }
  if (Date.now() - cached.at >= FALLBACK_TTL_MS && !cached.refit) {
    cached.refit = fitCourseFallback(tenantId, courseId)
      .then((p) => fallbacks.set(key, { at: Date.now(), predictor: Promise.resolve(p) }))
      .catch((err: unknown) => {
        cached.refit = undefined; // try again on a later request; the old fit keeps serving
        log.warn({ err: (err as Error).message, tenantId, courseId }, 'fallback predictor: refit failed');
      });
  }
  return cached.predictor;
}

/** The predictor serving a course now: its (or its tenant's) active model, else the fallback. */
export async function predictorFor(tenantId: string, courseId: string): Promise<Predictor> {
  const served = await servedModel(tenantId, courseId);
  if (served) return { version: served.version, predict: (requests) => predictMany(requests, served.model) };
  return courseFallback(tenantId, courseId);
}
