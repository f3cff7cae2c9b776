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
