import mongoose from 'mongoose';
import { answersPerCourse } from '../activity/index.js';
import { log } from '../log.js';
import { startTraining, type TrainingJob } from './jobs.js';
import { isNeural } from './models/index.js';
import type { ModelName } from './models/types.js';
import { listVersions, ModelVersion, type ModelScope } from './store.js';

/**
 * The retraining loop: every scope with an active model gets a challenger of the same kind trained
 * on its current activity log, promoted only if its held-out AUC does not drop (champion/challenger,
 * the decision recorded on the challenger). Courses are adapted instead (adapt.ts): once a course has
 * `adaptMinAnswers` answers more than its last model was fitted on, the tenant's active (neural)
 * model is fine-tuned on them, and promoted only if not worse than what serves the course now.
 * On demand: `retrainActive()`; on a schedule: `startRetrainTimer(hours)`. Several server instances
 * share the work safely: each slot of each scope is claimed by inserting a unique `_id` (FerretDB v1
 * has no atomic findAndModify).
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

export interface RetrainOptions {
  /** New answers in a course that start its adaptation; 0 (the default here) adapts no course. */
  adaptMinAnswers?: number;
}

type ActiveVersion = Required<ModelScope> & { model: ModelName; adaptedFrom?: string };

/**
 * Queues a challenger for every active model (or those of one tenant, or of one course of it), and
 * adapts courses with enough new answers; `slot` names the schedule slot claimed.
 */
export async function retrainActive(filter: { tenantId?: string; courseId?: string } = {}, slot?: string, o: RetrainOptions = {}): Promise<TrainingJob[]> {
  const active = await ModelVersion.find({ status: 'active', ...(filter.tenantId ? { tenantId: filter.tenantId } : {}) })
    .select('tenantId courseId model adaptedFrom')
    .lean<ActiveVersion[]>();
  const inFilter = (courseId: string) => filter.courseId === undefined || courseId === filter.courseId;
  const claimed = async (scope: ActiveVersion) => !slot || (await claim(`${slot}/${scope.tenantId}/${scope.courseId}`));
  const jobs: TrainingJob[] = [];
  // An adapted course model is renewed by adaptation below, not by training from scratch.
  for (const v of active.filter((a) => !a.adaptedFrom && inFilter(a.courseId))) {
    if (!(await claimed(v))) continue;
    jobs.push(startTraining({ model: v.model, tenantId: v.tenantId, courseId: v.courseId || undefined, promote: 'if-not-worse' }));
  }
  if ((o.adaptMinAnswers ?? 0) <= 0) return jobs;
  for (const tenant of active.filter((a) => !a.courseId && isNeural(a.model))) {
    for (const [courseId, answers] of await answersPerCourse(tenant.tenantId)) {
      if (!inFilter(courseId)) continue;
      const own = active.find((a) => a.tenantId === tenant.tenantId && a.courseId === courseId);
      if (own && !own.adaptedFrom) continue; // a course trained from scratch keeps its own retraining
      const [last] = await listVersions({ tenantId: tenant.tenantId, courseId }, 1);
      if (answers - (last?.metrics.answers ?? 0) < o.adaptMinAnswers!) continue;
      if (!(await claimed({ ...tenant, courseId }))) continue;
      jobs.push(startTraining({ model: tenant.model, tenantId: tenant.tenantId, courseId, adaptFrom: 'tenant', promote: 'if-not-worse' }));
    }
  }
  return jobs;
}

/** Every `hours` (0 disables); returns the stop function. */
export function startRetrainTimer(hours: number, o: RetrainOptions = {}): () => void {
  if (hours <= 0) return () => {};
  const ms = hours * 3600_000;
  const timer = setInterval(() => {
    const slot = `retrain-${Math.floor(Date.now() / ms)}`;
    retrainActive({}, slot, o)
      .then((jobs) => jobs.length && log.info({ jobs: jobs.map((j) => j.id), slot }, 'scheduled retraining queued'))
      .catch((err: Error) => log.error({ err: err.message }, 'scheduled retraining failed to start'));
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}
