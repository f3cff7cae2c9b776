import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { log } from '../log.js';
import { datasetFromActivity } from './data/activity.js';
import { splitLearners } from './data/episodes.js';
import type { Dataset } from './data/interactions.js';
import type { ModelName, ModelState } from './models/types.js';
import { refreshAllServed } from './predict.js';
import { makeRng } from './random.js';
import { ADAPT_DEFAULTS } from './adapt.js';
import {
  activeVersionId,
  getVersion,
  loadVersion,
  promoteVersion,
  recordDecision,
  saveVersion,
  servingVersionId,
  VersionNotFound,
  type EpochPoint,
  type ModelScope,
  type PromotionDecision,
} from './store.js';
import { fitInWorker } from './worker/spawn.js';

/**
 * Training jobs started from the server: data loaded here (database reads only), the fit in a
 * worker thread so requests never stall, one job at a time (two shared cores), and every step
 * published as an event for the admin page's progress stream. Jobs live in this process's memory;
 * what they produce (model versions, decisions) is in the model store.
 */

/** What to do with the trained version: keep it as a candidate, champion/challenger, or promote outright. */
export type PromotePolicy = 'never' | 'if-not-worse' | 'always';

export interface TrainRequest {
  model: ModelName;
  tenantId: string;
  /** Absent: every course of the tenant (a tenant-wide model). */
  courseId?: string;
  epochs?: number;
  seed?: number;
  promote?: PromotePolicy;
  /**
   * Online adaptation (adapt.ts): start from this version, or `tenant` for the tenant's active one, and
   * fine-tune it on the course's answers instead of training from scratch. Needs a courseId; the
   * version must be of `model`'s kind and of the same tenant.
   */
  adaptFrom?: string;
  /** Ready-made data instead of the activity log (the demo's simulated learners are in the log too; tests use this). */
  dataset?: Dataset;
}

export type JobStatus = 'queued' | 'loading' | 'training' | 'done' | 'failed';

export type JobEvent =
  | { type: 'status'; status: JobStatus; at: string; learners?: number; interactions?: number; backend?: string }
  | { type: 'epoch'; at: string; epoch: number; epochs: number; loss: number; validAuc: number; secondsLeft: number }
  | { type: 'done'; at: string; version: string; validAuc: number; trainSeconds: number; decision?: PromotionDecision; promoted: boolean }
  | { type: 'failed'; at: string; message: string };

export interface TrainingJob {
  id: string;
  model: ModelName;
  tenantId: string;
  courseId: string;
  status: JobStatus;
  created: string;
  events: JobEvent[];
  version?: string;
  error?: string;
}

/** Learners needed before a split into training and held-out learners means anything. */
export const MIN_LEARNERS = 5;
const DEFAULT_EPOCHS = 10;
const KEPT_JOBS = 50;

const jobs = new Map<string, TrainingJob>();
const bus = new EventEmitter();
let queue: Promise<unknown> = Promise.resolve();

const now = () => new Date().toISOString();

function emit(job: TrainingJob, event: JobEvent): void {
  job.events.push(event);
  if (event.type === 'status') job.status = event.status;
  if (event.type === 'done') Object.assign(job, { status: 'done', version: event.version });
  if (event.type === 'failed') Object.assign(job, { status: 'failed', error: event.message });
  bus.emit(job.id, event);
}

/** Queues a training job; resolves at once with the job (poll `getJob` or `onJobEvent` for progress). */
export function startTraining(request: TrainRequest): TrainingJob {
  const job: TrainingJob = { id: randomUUID(), model: request.model, tenantId: request.tenantId, courseId: request.courseId ?? '', status: 'queued', created: now(), events: [] };
  jobs.set(job.id, job);
  for (const old of [...jobs.keys()].slice(0, Math.max(0, jobs.size - KEPT_JOBS))) jobs.delete(old);
  emit(job, { type: 'status', status: 'queued', at: now() });
  queue = queue.then(() =>
    runJob(job, request).catch((err: unknown) => {
      log.error({ job: job.id, err: (err as Error).message }, 'model training failed');
      emit(job, { type: 'failed', at: now(), message: (err as Error).message });
    }),
  );
  return job;
}

export function getJob(id: string): TrainingJob | undefined {
  return jobs.get(id);
}

/** Resolves when the job is done or failed (the demo and tests wait on it). */
export function jobFinished(id: string): Promise<TrainingJob> {
  const job = jobs.get(id);
  if (!job) return Promise.reject(new Error(`no training job ${id}`));
  if (job.status === 'done' || job.status === 'failed') return Promise.resolve(job);
  return new Promise((resolve) => {
    const listener = (e: JobEvent) => {
      if (e.type !== 'done' && e.type !== 'failed') return;
      bus.off(id, listener);
      resolve(job);
    };
    bus.on(id, listener);
  });
}

/** Subscribes to a job's events from now on; returns the unsubscribe function. */
export function onJobEvent(id: string, listener: (e: JobEvent) => void): () => void {
  bus.on(id, listener);
  return () => bus.off(id, listener);
}

async function runJob(job: TrainingJob, request: TrainRequest): Promise<void> {
  const scope: ModelScope = { tenantId: request.tenantId, courseId: request.courseId ?? '' };
  const seed = request.seed ?? 1;
  const epochs = request.epochs ?? (request.adaptFrom ? ADAPT_DEFAULTS.epochs : DEFAULT_EPOCHS);
  emit(job, { type: 'status', status: 'loading', at: now() });
  const base = request.adaptFrom ? await adaptationBase(request) : undefined;
  const data = request.dataset ?? (await datasetFromActivity(scope));
  const answers = data.learners.reduce((n, l) => n + l.interactions.length, 0);
  const learners = data.learners.filter((l) => l.interactions.length > 1);
  const interactions = learners.reduce((n, l) => n + l.interactions.length, 0);
  if (learners.length < MIN_LEARNERS) {
    throw new Error(`${data.name} has ${learners.length} learners with at least two answers; training needs at least ${MIN_LEARNERS}`);
  }
  // Held-out learners decide early stopping and the champion/challenger comparison.
  const { train, valid } = splitLearners({ name: data.name, learners }, 0.2, makeRng(seed));
  // A course's challenger must not be worse than what serves the course now: its own model, else its tenant's.
  const championId = request.promote === 'if-not-worse' ? await servingVersionId(scope.tenantId, scope.courseId ?? '') : undefined;
  const championIsTenants = championId !== undefined && championId !== (await activeVersionId(scope));
  const champion = championId ? (await loadVersion(championId)).state : undefined;

  emit(job, { type: 'status', status: 'training', at: now(), learners: learners.length, interactions });
  const curve: EpochPoint[] = [];
  const started = Date.now();
  const result = await fitInWorker({ model: request.model, train, valid, epochs, seed, champion, base: base?.state }, (m) => {
    if (m.type !== 'epoch') return;
    const { epoch, epochs: total, loss, validAuc } = m.report;
    curve.push({ epoch, loss, validAuc });
    const secondsLeft = ((Date.now() - started) / 1000 / epoch) * (total - epoch);
    emit(job, { type: 'epoch', at: now(), epoch, epochs: total, loss, validAuc, secondsLeft });
  });
  if (result.type === 'failed') throw new Error(result.message);

  // `answers` (every graded answer read) is what the retraining loop compares to decide a course has enough new ones.
  const metrics = { validAuc: result.validAuc, learners: learners.length, interactions, answers, trainSeconds: result.trainSeconds };
  const metadata = { model: request.model, data: data.name, metrics, backend: result.backend, created: new Date(), ...(base ? { adaptedFrom: base.version } : {}) };
  const version = await saveVersion(result.state, metadata, scope, curve);
  const decision = await decide(version, request.promote ?? 'never', result.validAuc, championId, result.championAuc, championIsTenants);
  if (decision?.promoted || request.promote === 'always') {
    await promoteVersion(version);
    await refreshAllServed();
  }
  emit(job, { type: 'done', at: now(), version, validAuc: result.validAuc, trainSeconds: result.trainSeconds, decision, promoted: Boolean(decision?.promoted || request.promote === 'always') });
}

/**
 * The saved model an adaptation job starts from: `tenant` (the tenant's active version) or a version
 * id, which must belong to the same tenant (a model carries what it learnt from its tenant's learners).
 */
async function adaptationBase(request: TrainRequest): Promise<{ version: string; state: ModelState }> {
  if (!request.courseId) throw new Error('adaptation is to a course: give the courseId to adapt to');
  const version = request.adaptFrom === 'tenant' ? await activeVersionId({ tenantId: request.tenantId }) : request.adaptFrom!;
  if (!version) throw new Error(`tenant ${request.tenantId} has no active model to adapt from: train and promote a tenant-wide model first`);
  const summary = await getVersion(version);
  if (summary.tenantId !== request.tenantId) throw new VersionNotFound(version);
  if (summary.model !== request.model) throw new Error(`version ${version} is a ${summary.model} model; adapt it with model "${summary.model}"`);
  return { version, state: (await loadVersion(version)).state };
}

/** Champion/challenger: the new version is promoted only if its held-out AUC is not below the serving one's (for a course without its own, the tenant's). */
async function decide(version: string, policy: PromotePolicy, challengerAuc: number, championVersion?: string, championAuc?: number, championIsTenants = false): Promise<PromotionDecision | undefined> {
  if (policy !== 'if-not-worse') return undefined;
  const promoted = championAuc === undefined || challengerAuc >= championAuc;
  const champion = championIsTenants ? "the tenant model's, which serves the course now," : "the active model's";
  const reason =
    championAuc === undefined
      ? 'no active model in this scope'
      : promoted
        ? `held-out AUC ${challengerAuc.toFixed(4)} is not below ${champion} ${championAuc.toFixed(4)}`
        : `held-out AUC ${challengerAuc.toFixed(4)} is below ${champion} ${championAuc.toFixed(4)}; kept as a candidate`;
  const decision: PromotionDecision = { at: new Date(), promoted, challengerAuc, championVersion, championAuc, reason };
  await recordDecision(version, decision);
  return decision;
}
