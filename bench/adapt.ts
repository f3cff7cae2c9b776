// Online adaptation benchmark (issue 17, item 4), on the simulated class: a tenant model is trained
// on a simulated class (BKT learners on the demo's algebra-readiness pathway, as `seed-demo` does, but
// 1000 of them), then a course whose items differ from that pre-training data is served (a) by the
// tenant model alone (0 course learners), (b) by the tenant model adapted on 50 or 200 of the course's
// learners (src/recommend/adapt.ts), (c) by a model of the same kind trained from scratch on the same
// learners, as the product trains (10 epochs) and with the adaptation's schedule (small batches).
// Measured: AUC (all answers, and each learner's first 10) on held-out course learners, medians over
// seeds. BENCH_SEEDS (default 1,2,3), BENCH_MODEL (default matching), BENCH_SIZES (default 50,200),
// BENCH_TENANT_EPOCHS (20), BENCH_TENANT_LEARNERS (1000), BENCH_EPOCHS (scratch, 10). Run it alone under `nice -n 10`.
import { readFileSync } from 'node:fs';
import { DEMO_FILE } from '../src/content/demo.js';
import { contentFileSchema, type Item, type Pathway } from '../src/content/format.js';
import { ADAPT_DEFAULTS, adaptModel } from '../src/recommend/adapt.js';
import { initBackend } from '../src/recommend/backend.js';
import { isGraded, itemRef } from '../src/recommend/data/activity.js';
import { splitLearners } from '../src/recommend/data/episodes.js';
import type { Dataset } from '../src/recommend/data/interactions.js';
import { evaluate } from '../src/recommend/evaluate.js';
import { createModel } from '../src/recommend/models/index.js';
import type { ModelName, Recommender } from '../src/recommend/models/types.js';
import { pathwayView, type PathwayView } from '../src/recommend/next.js';
import { fallbackPredictor } from '../src/recommend/predictor.js';
import { makeRng, shuffle } from '../src/recommend/random.js';
import type { PolicyName } from '../src/recommend/simulate/baselines.js';
import { DEMO_BKT, type BktParams } from '../src/recommend/simulate/params.js';
import { answersOf, simulate } from '../src/recommend/simulate/run.js';
import { fmt, printTable } from './support.js';

const seeds = (process.env.BENCH_SEEDS ?? '1,2,3').split(',').map(Number);
const modelName = (process.env.BENCH_MODEL ?? 'matching') as ModelName;
const sizes = (process.env.BENCH_SIZES ?? '50,200').split(',').map(Number);
const tenantEpochs = Number(process.env.BENCH_TENANT_EPOCHS ?? 20);
const scratchEpochs = Number(process.env.BENCH_EPOCHS ?? 10);
/** The demo's class (src/recommend/demo.ts) is 240 learners of 40 steps, half authored order and half random; the tenant has more. */
const TENANT_LEARNERS = Number(process.env.BENCH_TENANT_LEARNERS ?? 1000);
const STEPS = 40;
const HELD_OUT = 100;

const demo = contentFileSchema.parse(JSON.parse(readFileSync(DEMO_FILE, 'utf8')));
const pathway = demo.pathways.find((p) => p.id === 'algebra-readiness')!;
const tenantView = pathwayView(pathway, demo.items, demo.skills);

/**
 * The course: half of the pathway's graded items are the teacher's own (new ids the tenant never saw).
 * Each of them also needs a second, later skill of the pathway that its tags do not name (what
 * teacher-written items often do: a fractions word problem that needs division too), and its true
 * difficulty is the reverse of the authored one. The models see the tags and the authored difficulty
 * only, so what the course's items really depend on has to be learnt from the course's answers.
 */
const COURSE_BKT: BktParams = DEMO_BKT;
const skillOrder = [...new Set(pathway.items.flatMap((id) => demo.items.find((i) => i.id === id)?.skills ?? []))];
const hiddenSkill = (skill: string) => skillOrder[(skillOrder.indexOf(skill) + 4) % skillOrder.length];
const ownId = (id: string) => `course-${id}`;
const ownItems = new Set(demo.items.filter(isGraded).filter((_, n) => n % 2 === 1).map((i) => i.id));
const courseItems: Item[] = demo.items.map((i) =>
  ownItems.has(i.id) ? { ...i, id: ownId(i.id), skills: [...i.skills, hiddenSkill(i.skills[0])], difficulty: 1 - (i.difficulty ?? 0.5) } : i,
);
/** What the content says about every item (ids of both worlds): its tags and authored difficulty. */
const authored = new Map(demo.items.flatMap((i) => [i.id, ownId(i.id)].map((id) => [id, { skills: i.skills, features: [i.difficulty ?? 0.5] }] as [string, { skills: string[]; features: number[] }])));
const coursePathway: Pathway = { ...pathway, items: pathway.items.map((id) => (ownItems.has(id) ? ownId(id) : id)) };
const courseView = pathwayView(coursePathway, courseItems, demo.skills);

/** Simulated learners' answers as a dataset, with the items as authored (tags, difficulty). */
async function simulateClass(view: PathwayView, learners: number, seed: number, bkt: BktParams, name: string): Promise<Dataset> {
  const predictor = await fallbackPredictor({ name: 'none', learners: [] }, [...view.items.values()].map(itemRef));
  const halves: PolicyName[] = ['fixed-order', 'random'];
  const out: Dataset = { name, learners: [] };
  for (const [n, policy] of halves.entries()) {
    const run = await simulate({ view, policy, simulator: 'bkt', learners: learners / 2, steps: STEPS, seed: seed * 10 + n, predictor, bkt });
    run.histories.forEach((h, i) =>
      out.learners.push({ learnerId: `${name}-${policy}-${i}`, interactions: answersOf(h, view.items).map((x) => ({ ...x, ...authored.get(x.itemId) })) }),
    );
  }
  return out;
}

type Row = { condition: string; learners: number; auc: number; aucFirst10: number; seconds: number };

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, (performance.now() - started) / 1000];
}

const backend = await initBackend(() => {});
const rows: Row[] = [];
for (const seed of seeds) {
  const tenantData = await simulateClass(tenantView, TENANT_LEARNERS, seed, DEMO_BKT, 'tenant');
  const tenantSplit = splitLearners(tenantData, 0.2, makeRng(seed));
  const tenant = createModel(modelName);
  const [, tenantSeconds] = await timed(() => tenant.fit(tenantSplit.train, tenantSplit.valid, { epochs: tenantEpochs, seed }));
  const base = tenant.state();
  const course = await simulateClass(courseView, Math.max(...sizes) + HELD_OUT, seed + 1000, COURSE_BKT, 'course');
  const test: Dataset = { name: 'held-out', learners: course.learners.filter((_, i) => i % 3 === 0).slice(0, HELD_OUT) };
  const testIds = new Set(test.learners.map((l) => l.learnerId));
  // Shuffled, so 50 learners are a mix of both halves of the class.
  const pool = shuffle(course.learners.filter((l) => !testIds.has(l.learnerId)), makeRng(seed));
  const score = async (condition: string, learners: number, model: Recommender, seconds: number) => {
    const m = await evaluate(model, test);
    rows.push({ condition, learners, auc: m.auc, aucFirst10: m.aucFirst10, seconds });
    console.error(`seed ${seed}: ${condition} ${learners}: AUC ${m.auc.toFixed(4)} first 10 ${m.aucFirst10.toFixed(4)} (${seconds.toFixed(1)} s)`);
  };
  await score('tenant model alone', 0, tenant, tenantSeconds);
  for (const size of sizes) {
    const { train, valid } = splitLearners({ name: 'course', learners: pool.slice(0, size) }, 0.2, makeRng(seed));
    const [adapted, adaptSeconds] = await timed(() => adaptModel(base, train, valid, { seed }));
    await score('adapted from tenant', size, adapted, adaptSeconds);
    const scratch = createModel(modelName);
    const [, scratchSeconds] = await timed(() => scratch.fit(train, valid, { epochs: scratchEpochs, seed }));
    await score('from scratch', size, scratch, scratchSeconds);
    const sameSchedule = createModel(modelName);
    const [, sameSeconds] = await timed(() => sameSchedule.fit(train, valid, { ...ADAPT_DEFAULTS, seed }));
    await score('from scratch, adaptation schedule', size, sameSchedule, sameSeconds);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const groups = [...new Map(rows.map((r) => [`${r.condition}/${r.learners}`, rows.filter((x) => x.condition === r.condition && x.learners === r.learners)])).values()];
const summary = groups.map((g) => ({ condition: g[0].condition, learners: g[0].learners, auc: median(g.map((r) => r.auc)), aucFirst10: median(g.map((r) => r.aucFirst10)), seconds: median(g.map((r) => r.seconds)) }));
console.log(`online adaptation, ${modelName}, simulated class (BKT), ${HELD_OUT} held-out course learners, medians over seeds ${seeds.join(',')}, ${backend}`);
printTable(
  ['condition', 'course learners', 'AUC', 'first 10', 'train s'],
  summary.map((s) => [s.condition, s.learners, fmt(s.auc, 4), fmt(s.aucFirst10, 4), fmt(s.seconds, 1)]),
);
console.log(JSON.stringify({ bench: 'adapt', model: modelName, seeds, heldOut: HELD_OUT, backend, results: summary }));
