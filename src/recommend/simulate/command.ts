import { readFile } from 'node:fs/promises';
import { CliError, intOption, type CliCommand } from '../../cli/command.js';
import { ProgressBar } from '../../cli/progress.js';
import { loadConfig } from '../../config.js';
import { listPathways, listSkills, searchItems } from '../../content/catalog.js';
import { devLmsTenant, DEMO_FILE } from '../../content/demo.js';
import { contentFileSchema, type Item, type Pathway, type Skill } from '../../content/format.js';
import { openDatabase } from '../../db/index.js';
import { initBackend } from '../backend.js';
import { itemRef } from '../data/activity.js';
import { modelFromState } from '../models/index.js';
import { pathwayView, type PathwayView } from '../next.js';
import { fallbackPredictor, predictorOf, type Predictor } from '../predictor.js';
import { loadVersion, VersionNotFound } from '../store.js';
import { POLICY_NAMES, type PolicyName } from './baselines.js';
import { SIMULATORS, type SimulatorName } from './learners.js';
import { simulate, type SimulationResult } from './run.js';

/** The demo pathway simulated by default: five arithmetic skills, the part of the demo a 60-step session can master. */
export const DEFAULT_DEMO_PATHWAY = 'arithmetic';

interface Content {
  items: Item[];
  skills: Skill[];
  pathways: Pathway[];
}

async function demoContent(): Promise<Content> {
  return contentFileSchema.parse(JSON.parse(await readFile(DEMO_FILE, 'utf8')));
}

function choose<T extends string>(value: unknown, allowed: readonly T[], name: string, fallback?: T): T {
  if (value === undefined && fallback) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new CliError(`--${name} must be one of ${allowed.join(', ')}${value === undefined ? '' : `, got "${String(value)}"`}`);
  }
  return value as T;
}

function viewOf(content: Content, pathwayId: string | undefined): PathwayView {
  const pathway = pathwayId ? content.pathways.find((p) => p.id === pathwayId) : content.pathways[0];
  if (!pathway) throw new CliError(`no pathway "${pathwayId}"; pathways: ${content.pathways.map((p) => p.id).join(', ') || 'none'}`);
  return pathwayView(pathway, content.items, content.skills);
}

/** One simulation run as the CLI reports it (also the bench's unit of work). */
export async function runSimulation(o: { view: PathwayView; policy: PolicyName; simulator: SimulatorName; learners: number; steps: number; seed: number; predictor: Predictor; perfectPredictions?: boolean; progress?: boolean }): Promise<SimulationResult> {
  const bar = o.progress ? new ProgressBar(`simulate ${o.policy}/${o.simulator}`, o.steps) : undefined;
  const { histories: _histories, ...result } = await simulate({ ...o, onStep: (t) => bar?.update(t) });
  bar?.finish();
  return result;
}

/** Wayfinder's predictor for a simulation: a stored version, or the fallback on the pathway's authored difficulties. */
export async function simulationPredictor(view: PathwayView, version?: string): Promise<Predictor> {
  if (!version) return fallbackPredictor({ name: 'none', learners: [] }, [...view.items.values()].map(itemRef));
  await initBackend(() => {});
  try {
    return predictorOf(modelFromState((await loadVersion(version)).state), version);
  } catch (err) {
    if (err instanceof VersionNotFound) throw new CliError(`${err.message}; list versions with GET /api/admin/models`);
    throw err;
  }
}

export const simulateCommand: CliCommand = {
  name: 'simulate',
  summary: 'evaluate a teaching policy on simulated learners (BKT-style or IRT with growth)',
  usage: `simulate --policy ${POLICY_NAMES.join('|')} [--simulator bkt|irt] [--course ID [--tenant T]] [--pathway ID] [--model VERSION] [--learners 500] [--steps 60] [--seed S] [--json]

Default: the bundled demo course (pathway "${DEFAULT_DEMO_PATHWAY}") with the simulator parameters in src/recommend/simulate/params.ts.
--course reads the course's content from the database (--tenant defaults to the dev LMS tenant); --model uses a stored
model version for Wayfinder's predictions (default: the fallback predictor, IRT per skill on authored difficulties).`,
  options: {
    policy: { type: 'string' },
    simulator: { type: 'string' },
    course: { type: 'string' },
    tenant: { type: 'string' },
    pathway: { type: 'string' },
    model: { type: 'string' },
    learners: { type: 'string' },
    steps: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(v) {
    const policy = choose(v.policy, POLICY_NAMES, 'policy');
    const simulator = choose(v.simulator, SIMULATORS, 'simulator', 'bkt');
    const learners = intOption(v, 'learners', 500);
    const steps = intOption(v, 'steps', 60);
    const seed = intOption(v, 'seed', 1);
    if (learners < 1 || steps < 1) throw new CliError('--learners and --steps must be at least 1');
    const needsDb = typeof v.course === 'string' || typeof v.model === 'string';
    const config = needsDb ? loadConfig() : undefined;
    const db = config ? await openDatabase(config) : undefined;
    try {
      let content: Content;
      if (typeof v.course === 'string') {
        const tenantId = typeof v.tenant === 'string' ? v.tenant : config!.devLms ? devLmsTenant(config!.devLmsPort) : undefined;
        if (!tenantId) throw new CliError('--tenant is required with --course (the tenant id from `wayfinder platforms list`)');
        const scope = { tenantId, courseId: v.course };
        content = { items: await searchItems(scope), skills: await listSkills(scope), pathways: await listPathways(scope) };
      } else content = await demoContent();
      const view = viewOf(content, typeof v.pathway === 'string' ? v.pathway : typeof v.course === 'string' ? undefined : DEFAULT_DEMO_PATHWAY);
      const predictor = await simulationPredictor(view, typeof v.model === 'string' ? v.model : undefined);
      const r = await runSimulation({ view, policy, simulator, learners, steps, seed, predictor, progress: true });
      if (v.json !== true) {
        console.log(`${policy} on ${simulator} learners (pathway ${view.pathway.id}, ${learners} learners, ${steps} steps, seed ${seed}, predictions ${r.modelVersion})`);
        console.log(`  reached mastery        ${(r.masteredShare * 100).toFixed(1)}%`);
        console.log(`  median steps to it     ${r.medianStepsToMastery}  (never = ${steps + 1})`);
        console.log(`  post-test              ${r.postTest.toFixed(3)}`);
        console.log(`  over-practice          ${r.overPractice.toFixed(2)} attempts per learner on mastered skills`);
      }
      const { policy: p, simulator: s, learners: n, masteredShare, medianStepsToMastery, postTest, overPractice } = r;
      console.log(JSON.stringify({ policy: p, simulator: s, learners: n, masteredShare, medianStepsToMastery, postTest, overPractice }));
    } finally {
      await db?.close();
    }
  },
};
