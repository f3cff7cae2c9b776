// Policy benchmark: the robustness matrix (every policy × both simulators × 3 seeds, 500 learners,
// 60 steps, the demo pathway and its documented simulator parameters) with the targets checked,
// and the policy's decision time for a 500-item pathway (p50/p99, not asserted).
// BENCH_LEARNERS, BENCH_STEPS, BENCH_SEEDS and BENCH_PATHWAY change the matrix's size.
import { readFileSync } from 'node:fs';
import { DEMO_FILE } from '../src/content/demo.js';
import { contentFileSchema, type Item, type Skill } from '../src/content/format.js';
import { pathwayDecision, pathwayView } from '../src/recommend/next.js';
import { makeRng } from '../src/recommend/random.js';
import { POLICY_NAMES } from '../src/recommend/simulate/baselines.js';
import { DEFAULT_DEMO_PATHWAY, runSimulation, simulationPredictor } from '../src/recommend/simulate/command.js';
import { SIMULATORS } from '../src/recommend/simulate/learners.js';
import type { StatementLike } from '../src/recommend/data/activity.js';
import { percentile } from './support.js';

const learners = Number(process.env.BENCH_LEARNERS ?? 500);
const steps = Number(process.env.BENCH_STEPS ?? 60);
const seeds = (process.env.BENCH_SEEDS ?? '1,2,3').split(',').map(Number);
const demo = contentFileSchema.parse(JSON.parse(readFileSync(DEMO_FILE, 'utf8')));
const view = pathwayView(demo.pathways.find((p) => p.id === (process.env.BENCH_PATHWAY ?? DEFAULT_DEMO_PATHWAY))!, demo.items, demo.skills);
const predictor = await simulationPredictor(view);

type Row = { masteredShare: number; medianStepsToMastery: number; postTest: number; overPractice: number };
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const matrix = new Map<string, Row>();
console.log(`robustness matrix: pathway ${view.pathway.id}, ${learners} learners, ${steps} steps, seeds ${seeds.join(',')}, predictions ${predictor.version}`);
console.log('simulator  policy             mastered  median steps  post-test  over-practice');
// The last row of each simulator is Wayfinder's policy given the learners' true P(correct): the
// policy's ceiling, which tells a policy problem apart from a prediction problem (not a target).
const PERFECT = 'wayfinder*';
for (const simulator of SIMULATORS) {
  for (const policy of [...POLICY_NAMES, PERFECT] as const) {
    const runs: Row[] = [];
    for (const seed of seeds) {
      const perfectPredictions = policy === PERFECT;
      runs.push(await runSimulation({ view, policy: perfectPredictions ? 'wayfinder' : policy, simulator, learners, steps, seed, predictor, perfectPredictions }));
    }
    const row: Row = {
      masteredShare: mean(runs.map((r) => r.masteredShare)),
      medianStepsToMastery: mean(runs.map((r) => r.medianStepsToMastery)),
      postTest: mean(runs.map((r) => r.postTest)),
      overPractice: mean(runs.map((r) => r.overPractice)),
    };
    matrix.set(`${simulator}/${policy}`, row);
    const perSeed = runs.map((r) => r.medianStepsToMastery).join('/');
    console.log(
      `${simulator.padEnd(10)} ${policy.padEnd(18)} ${(row.masteredShare * 100).toFixed(1).padStart(7)}%  ${row.medianStepsToMastery.toFixed(1).padStart(5)} (${perSeed})`.padEnd(70) +
        `${row.postTest.toFixed(3).padStart(6)}  ${row.overPractice.toFixed(1).padStart(8)}`,
    );
  }
}
console.log(`(${PERFECT} = Wayfinder's policy with the simulated learners' true P(correct) as its predictions: the policy's ceiling)`);
console.log('\ntargets (mean over seeds of the median steps to mastery):');
for (const simulator of SIMULATORS) {
  const w = matrix.get(`${simulator}/wayfinder`)!;
  const fixed = matrix.get(`${simulator}/fixed-order`)!;
  const random = matrix.get(`${simulator}/random`)!;
  const vsFixed = 1 - w.medianStepsToMastery / fixed.medianStepsToMastery;
  const vsRandom = 1 - w.medianStepsToMastery / random.medianStepsToMastery;
  const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(
    `  ${simulator}: ${(vsFixed * 100).toFixed(1)}% fewer steps than fixed-order (≥20%: ${mark(vsFixed >= 0.2)}), ` +
      `${(vsRandom * 100).toFixed(1)}% fewer than random (≥40%: ${mark(vsRandom >= 0.4)}), ` +
      `post-test ${w.postTest.toFixed(3)} vs fixed-order ${fixed.postTest.toFixed(3)} (${mark(w.postTest >= fixed.postTest)})`,
  );
}

// Decision time: a synthetic 500-item pathway (50 skills in a chain of prerequisites), 60-step histories.
const skills: Skill[] = Array.from({ length: 50 }, (_, s) => ({ id: `s${s}`, name: `Skill ${s}`, prerequisites: s ? [`s${s - 1}`] : [] }));
const items: Item[] = Array.from({ length: 500 }, (_, i) => ({ ...demo.items.find((x) => x.type === 'numeric')!, id: `item${i}`, skills: [`s${Math.floor(i / 10)}`], difficulty: (i % 10) / 10 }));
const big = pathwayView({ id: 'big', items: items.map((i) => i.id), settings: { masteryThreshold: 0.8, difficultyTarget: 0.7 } }, items, skills);
const bigPredictor = await simulationPredictor(big);
console.log('');
const rng = makeRng(9);
const histories: StatementLike[][] = Array.from({ length: 50 }, () =>
  Array.from({ length: 60 }, (_, t) => ({ verb: 'answered' as const, object: { id: `item${Math.min(499, t + Math.floor(rng() * 20))}`, kind: 'item' as const }, result: { success: rng() < 0.7 } })),
);
// The policy alone (statements → steps, skill states, choice) with a predictor that answers at once,
// and the whole decision with the fallback predictor on the 500 items.
const instant = { version: 'constant', predict: async (requests: { candidates: unknown[] }[]) => requests.map((r) => new Float32Array(r.candidates.length).fill(0.6)) };
async function timeDecisions(p: typeof bigPredictor): Promise<number[]> {
  const times: number[] = [];
  for (let r = 0; r < 420; r++) {
    const t0 = performance.now();
    await pathwayDecision(big, histories[r % histories.length], p, { rng });
    if (r >= 20) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}
for (const [label, p] of [['policy only', instant], ['policy + fallback predictions', bigPredictor]] as const) {
  const times = await timeDecisions(p);
  console.log(`decision time, 500-item pathway, 60-step history, ${label}: p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`);
}
