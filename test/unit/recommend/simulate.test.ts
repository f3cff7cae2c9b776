import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { DEMO_FILE } from '../../../src/content/demo.js';
import { contentFileSchema } from '../../../src/content/format.js';
import { isGraded } from '../../../src/recommend/data/activity.js';
import { makeRng } from '../../../src/recommend/random.js';
import { pathwayView } from '../../../src/recommend/next.js';
import { DEFAULT_DEMO_PATHWAY, simulationPredictor } from '../../../src/recommend/simulate/command.js';
import { makeLearner, SIMULATORS } from '../../../src/recommend/simulate/learners.js';
import { DEMO_IRT } from '../../../src/recommend/simulate/params.js';
import { simulate } from '../../../src/recommend/simulate/run.js';
import { repoRoot } from './fixtures.js';

const demo = contentFileSchema.parse(JSON.parse(readFileSync(DEMO_FILE, 'utf8')));
const prerequisites = new Map(demo.skills.map((s) => [s.id, s.prerequisites]));

for (const kind of SIMULATORS) {
  test(`${kind} learners learn: success on a skill rises with practice on it`, () => {
    const items = demo.items.filter((i) => isGraded(i) && i.skills.includes('add-sub'));
    const rng = makeRng(3);
    const firstTry: number[] = [];
    const afterPractice: number[] = [];
    for (let n = 0; n < 400; n++) {
      const learner = makeLearner(kind, prerequisites, rng);
      firstTry.push(learner.pCorrect(items[0]));
      for (let t = 0; t < 8; t++) learner.answer(items[t % items.length], rng);
      afterPractice.push(learner.pCorrect(items[0]));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(mean(afterPractice) > mean(firstTry) + 0.05, `${mean(firstTry).toFixed(3)} → ${mean(afterPractice).toFixed(3)}`);
  });

  test(`${kind} learners learn less while a prerequisite is missing`, () => {
    const equation = demo.items.find((i) => isGraded(i) && i.skills.includes('equations-2'))!;
    const gain = (withPrereqs: boolean) => {
      const rng = makeRng(5);
      let total = 0;
      for (let n = 0; n < 400; n++) {
        const learner = makeLearner(kind, withPrereqs ? new Map() : prerequisites, rng);
        const before = learner.pCorrect(equation);
        for (let t = 0; t < 4; t++) learner.answer(equation, rng);
        total += learner.pCorrect(equation) - before;
      }
      return total;
    };
    assert.ok(gain(true) > gain(false), 'prerequisites help');
  });
}

test('the simulate CLI ends with one parsable JSON line', async () => {
  const { stdout } = await promisify(execFile)('npx', ['tsx', 'src/cli.ts', 'simulate', '--policy', 'wayfinder', '--simulator', 'irt', '--learners', '20', '--steps', '15', '--seed', '2', '--json'], { cwd: repoRoot });
  const last = JSON.parse(stdout.trim().split('\n').at(-1)!);
  assert.deepEqual(Object.keys(last), ['policy', 'simulator', 'learners', 'masteredShare', 'medianStepsToMastery', 'postTest', 'overPractice']);
  assert.equal(last.policy, 'wayfinder');
  assert.equal(last.learners, 20);
  assert.ok(last.masteredShare >= 0 && last.masteredShare <= 1);
  assert.ok(last.medianStepsToMastery >= 0 && last.medianStepsToMastery <= 16);
});

test('perfect predictions: the policy is given the learners\' true P(correct) and never asks the model', async () => {
  const view = pathwayView(demo.pathways.find((p) => p.id === DEFAULT_DEMO_PATHWAY)!, demo.items, demo.skills);
  const refusing = { version: 'unused', predict: () => Promise.reject(new Error('the model was asked')) };
  const options = { view, policy: 'wayfinder', simulator: 'bkt', learners: 100, steps: 40, seed: 4 } as const;
  const perfect = await simulate({ ...options, predictor: refusing, perfectPredictions: true });
  assert.equal(perfect.modelVersion, 'perfect:simulator');
  // Knowing the hidden state's consequences exactly can only help a mastery policy on BKT learners.
  const fallback = await simulate({ ...options, predictor: await simulationPredictor(view) });
  assert.ok(perfect.medianStepsToMastery <= fallback.medianStepsToMastery, `${perfect.medianStepsToMastery} vs ${fallback.medianStepsToMastery}`);
});

test('an IRT learner masters a skill when its mean P(correct) on the skill\'s own items reaches masteredAt (as the product judges it)', () => {
  const numeric = demo.items.find((i) => i.type === 'numeric')!;
  const items = [0.15, 0.25, 0.3].map((difficulty, n) => ({ ...numeric, id: `easy-${n}`, skills: ['s'], difficulty }));
  const irt = { ...DEMO_IRT, ability: { s: 0.6 }, spread: 0 };
  const onItems = makeLearner('irt', new Map(), makeRng(1), { items, irt });
  const meanP = items.reduce((sum, i) => sum + onItems.pCorrect(i), 0) / items.length;
  assert.ok(meanP >= irt.masteredAt && onItems.mastered('s'), `mean P ${meanP.toFixed(3)}`);
  // Without items to judge on, an item of difficulty ½: P = σ(0.6) ≈ 0.65.
  assert.equal(makeLearner('irt', new Map(), makeRng(1), { irt }).mastered('s'), false);
});
