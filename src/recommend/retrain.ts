import mongoose from 'mongoose';
import { log } from '../log.js';
import { startTraining, type TrainingJob } from './jobs.js';
import type { ModelName } from './models/types.js';
import { ModelVersion, type ModelScope } from './store.js';

/**
 * The retraining loop: every scope with an active model gets a challenger of the same kind trained
 * on its current activity log, promoted only if its held-out AUC does not drop (champion/challenger,
 * the decision recorded on the challenger). On demand: `retrainActive()`; on a schedule:
 * `startRetrainTimer(hours)`. Several server instances share the work safely: each slot of each
 * scope is claimed by inserting a unique `_id` (FerretDB v1 has no atomic findAndModify).
 */
const claimSchema = new mongoose.Schema({ _id: String, at: Date }, { versionKey: false });
const RetrainClaim = mongoose.models.RetrainClaim ?? mongoose.model('RetrainClaim', claimSchema, 'wf_retrain_claims');

const DUPLICATE_KEY = 11000;

async function claim(id: string): Promise<boolean> {
  try {
    await RetrainClaim.create({ _id: id, at: new Date() });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === DUPLICATE_KEY) return false;
    throw err;
  }
}

/** Queues a challenger for every active model (or those of one tenant); `slot` names the schedule slot claimed. */
export async function retrainActive(filter: { tenantId?: string } = {}, slot?: string): Promise<TrainingJob[]> {
  const active = await ModelVersion.find({ status: 'active', ...(filter.tenantId ? { tenantId: filter.tenantId } : {}) })
    .select('tenantId courseId model')
    .lean<(Required<ModelScope> & { model: ModelName })[]>();
  const jobs: TrainingJob[] = [];
  for (const v of active) {
    if (slot && !(await claim(`${slot}/${v.tenantId}/${v.courseId}`))) continue;
    jobs.push(startTraining({ model: v.model, tenantId: v.tenantId, courseId: v.courseId || undefined, promote: 'if-not-worse' }));
  }
  return jobs;
}

/** Every `hours` (0 disables); returns the stop function. */
export function startRetrainTimer(hours: number): () => void {
  if (hours <= 0) return () => {};
  const ms = hours * 3600_000;
  const timer = setInterval(() => {
    const slot = `retrain-${Math.floor(Date.now() / ms)}`;
    retrainActive({}, slot)
      .then((jobs) => jobs.length && log.info({ jobs: jobs.map((j) => j.id), slot }, 'scheduled retraining queued'))
      .catch((err: Error) => log.error({ err: err.message }, 'scheduled retraining failed to start'));
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}
