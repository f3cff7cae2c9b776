import { listPathways, listSkills, searchItems } from '../content/catalog.js';
import { courseId as courseIdOf } from '../lti/tenancy.js';
import { log } from '../log.js';
import { jobFinished, onJobEvent, startTraining, type JobEvent, type TrainingJob } from './jobs.js';
import type { ModelName } from './models/types.js';
import { pathwayView } from './next.js';
import { fallbackPredictor } from './predictor.js';
import { itemRef } from './data/activity.js';
import { recordSimulatedLearners } from './simulate/activity.js';
import { simulate } from './simulate/run.js';
import { activeVersionId } from './store.js';
import type { PolicyName } from './simulate/baselines.js';

/**
 * The demo learns for real: simulated learners (BKT-style, the documented demo parameters) work
 * through the demo content in a course of their own in the dev LMS tenant (so real learners' pages
 * never read past them), their answers go into the activity log as statements under `simulated-` subs, and a tenant-wide model is trained on that log in a worker and
 * promoted (champion/challenger, so a better model already active stays). The policy serves with the
 * fallback predictor until it lands.
 */
export const DEMO_MODEL: ModelName = 'matching';
/** The LTI context id of the simulated class's course (no LMS course has it). */
export const DEMO_CONTEXT_ID = 'wayfinder-simulated-class';
const DEMO_LEARNERS = 240;
const DEMO_STEPS = 40;
const DEMO_EPOCHS = 8;

export interface DemoLearningOptions {
  /** Issuer of the dev LMS (the statements' actor accounts). */
  issuer: string;
  onProgress?: (e: { phase: 'simulate' | 'record' | 'train'; done: number; total: number; detail?: string }) => void;
}

/**
 * Simulates and records the demo class, then queues the training job. Each half of the class follows
 * a different baseline (authored order, random), so every item gets answers at every stage.
 */
export async function startDemoLearning(tenantId: string, o: DemoLearningOptions): Promise<TrainingJob> {
  const courseId = courseIdOf(tenantId, DEMO_CONTEXT_ID);
  const scope = { tenantId, courseId };
  const [items, skills, pathways] = await Promise.all([searchItems(scope), listSkills(scope), listPathways(scope)]);
  const pathway = pathways.find((p) => p.id === 'algebra-readiness') ?? pathways[0];
  if (!pathway) throw new Error('the demo course has no pathway: run seed-demo first');
  const view = pathwayView(pathway, items, skills);
  const predictor = await fallbackPredictor({ name: 'none', learners: [] }, items.map(itemRef));
  const halves: PolicyName[] = ['fixed-order', 'random'];
  let recorded = 0;
  for (const [n, policy] of halves.entries()) {
    const run = await simulate({ view, policy, simulator: 'bkt', learners: DEMO_LEARNERS / 2, steps: DEMO_STEPS, seed: 100 + n, predictor });
    const data = {
      name: 'demo',
      learners: run.histories.map((history, i) => ({
        learnerId: `${policy}-${i + 1}`,
        interactions: history.filter((s) => s.verb === 'answered').map((s) => ({ ...itemRef(view.items.get(s.object.id)!), correct: s.result!.success! })),
      })),
    };
    await recordSimulatedLearners({ ...scope, issuer: o.issuer }, data, (done) => o.onProgress?.({ phase: 'record', done: recorded + done, total: DEMO_LEARNERS }));
    recorded += data.learners.length;
  }
  return startTraining({ model: DEMO_MODEL, tenantId, epochs: DEMO_EPOCHS, promote: 'if-not-worse' });
}

/** At start-up: only when the tenant has no active model yet, and never in the way of serving. */
export async function ensureDemoModel(tenantId: string, issuer: string): Promise<void> {
  if (await activeVersionId({ tenantId })) return;
  log.info('demo: no trained model yet; simulating the demo class and training one in the background (the fallback predictor serves meanwhile)');
  const job = await startDemoLearning(tenantId, { issuer });
  const stop = onJobEvent(job.id, (e: JobEvent) => {
    if (e.type === 'epoch') log.info({ epoch: e.epoch, of: e.epochs, validAuc: Number(e.validAuc.toFixed(4)) }, 'demo: training');
  });
  const done = await jobFinished(job.id);
  stop();
  if (done.status === 'done') log.info({ version: done.version }, 'demo: trained model is active; Next up now comes from it');
  else log.warn({ error: done.error }, 'demo: training failed; Next up keeps using the fallback predictor');
}

/** `seed-demo`'s second half, with progress bars: record the simulated class, train, promote; waits for the model. */
export async function seedDemoLearning(tenantId: string, issuer: string): Promise<{ version?: string; validAuc?: number; promoted: boolean; error?: string }> {
  const { ProgressBar } = await import('../cli/progress.js');
  const recordBar = new ProgressBar('simulated learners', DEMO_LEARNERS);
  const job = await startDemoLearning(tenantId, { issuer, onProgress: (p) => recordBar.update(p.done) });
  recordBar.finish();
  const trainBar = new ProgressBar(`train ${DEMO_MODEL}`, DEMO_EPOCHS);
  const stop = onJobEvent(job.id, (e) => e.type === 'epoch' && trainBar.update(e.epoch, `loss ${e.loss.toFixed(4)} valid AUC ${e.validAuc.toFixed(4)}`));
  const done = await jobFinished(job.id);
  stop();
  trainBar.finish();
  const end = done.events.find((e) => e.type === 'done');
  return end?.type === 'done' ? { version: end.version, validAuc: end.validAuc, promoted: end.promoted } : { promoted: false, error: done.error };
}
