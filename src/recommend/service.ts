import { learnerRecord } from '../activity/index.js';
import { searchItems } from '../content/catalog.js';
import type { Item } from '../content/format.js';
import { AppError } from '../web/errors.js';
import { interactionsFromHistory, itemRef } from './data/activity.js';
import type { Interaction, ItemRef } from './data/interactions.js';
import { predictorFor } from './predictor.js';

/** The learner's course items by id and their graded answers so far, from their learner state. */
export async function learnerState(tenantId: string, courseId: string, sub: string) {
  const scope = { tenantId, courseId };
  const [items, history] = await Promise.all([searchItems(scope), learnerRecord(scope, sub)]);
  const byId = new Map<string, Item>(items.map((i) => [i.id, i]));
  return { items: byId, history, interactions: interactionsFromHistory(history, byId) };
}

export interface PredictionAnswer {
  modelVersion: string;
  historyLength: number;
  predictions: { itemId: string; probability: number }[];
}

/** P(correct) on each candidate for one learner, from the model serving their course (admin API). */
export async function predictForLearner(q: { tenantId: string; courseId: string; sub: string; candidates: string[] }): Promise<PredictionAnswer> {
  const { items, interactions } = await learnerState(q.tenantId, q.courseId, q.sub);
  const unknown = q.candidates.filter((id) => !items.has(id));
  if (unknown.length) throw new AppError('VALIDATION_FAILED', `not items of this course: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''}`);
  const predictor = await predictorFor(q.tenantId, q.courseId);
  const [p] = await predictor.predict([{ history: interactions, candidates: q.candidates.map((id) => itemRef(items.get(id)!)) }]);
  return { modelVersion: predictor.version, historyLength: interactions.length, predictions: q.candidates.map((itemId, i) => ({ itemId, probability: p[i] })) };
}

/** P(correct) on each candidate as the learner's next attempt, from the model serving the course (or the fallback). */
export async function predictSuccess(scope: { tenantId: string; courseId: string }, history: Interaction[], candidates: ItemRef[]): Promise<{ version: string; probabilities: Float32Array }> {
  const predictor = await predictorFor(scope.tenantId, scope.courseId);
  const [probabilities] = await predictor.predict([{ history, candidates }]);
  return { version: predictor.version, probabilities };
}
