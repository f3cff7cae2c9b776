import type { Item } from '../../content/format.js';
import type { StatementLike } from '../data/activity.js';
import { isGraded } from '../data/activity.js';
import type { Interaction } from '../data/interactions.js';
import { pathwayDecisions, stepsFromStatements, type PathwayView } from '../next.js';
import type { Predictor } from '../predictor.js';
import { makeRng, type Rng } from '../random.js';
import { BASELINES, type PolicyName } from './baselines.js';
import { makeLearner, type SimLearner, type SimulatorName } from './learners.js';
import type { BktParams } from './params.js';

/**
 * Offline policy evaluation: simulated learners take `steps` steps each, all in lockstep so the
 * Wayfinder policy's predictions are one batched call per step. Every step is written as a
 * statement-like record, and policies decide from those records only (Wayfinder through the same
 * `pathwayDecisions` the player uses).
 */
export interface SimulationOptions {
  view: PathwayView;
  policy: PolicyName;
  simulator: SimulatorName;
  learners: number;
  steps: number;
  seed: number;
  /** Wayfinder's predictions (the product's serving model, or the fallback). */
  predictor: Predictor;
  /**
   * Give the Wayfinder policy the simulated learners' true P(correct) instead of `predictor`: the
   * policy's ceiling with perfect predictions, which tells policy design apart from prediction quality.
   */
  perfectPredictions?: boolean;
  /** BKT parameters other than the demo's (a class that differs from the demo's, e.g. for bench:adapt). */
  bkt?: BktParams;
  onStep?: (step: number) => void;
}

export interface SimulationResult {
  policy: PolicyName;
  simulator: SimulatorName;
  learners: number;
  /** Share of learners who reached pathway mastery (every skill mastered in the hidden state). */
  masteredShare: number;
  /** Median steps to pathway mastery; a learner who never got there counts as steps + 1. */
  medianStepsToMastery: number;
  /** Expected correctness over all pathway skills after the last step (mean P(correct) on their items). */
  postTest: number;
  /** Mean graded attempts per learner on items whose skills were all already mastered. */
  overPractice: number;
  modelVersion: string;
}

interface SimState {
  learner: SimLearner;
  history: StatementLike[];
  rng: Rng;
  masteredAt?: number;
  overPractice: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The simulated learners' answers as a dataset (the demo trains on these). */
export function answersOf(history: StatementLike[], items: Map<string, Item>): Interaction[] {
  return history.flatMap((s) => {
    const item = items.get(s.object.id);
    return item && s.verb === 'answered' ? [{ itemId: item.id, skills: item.skills, features: [item.difficulty ?? 0.5], correct: s.result!.success! }] : [];
  });
}

export async function simulate(o: SimulationOptions): Promise<SimulationResult & { histories: StatementLike[][] }> {
  const items = o.view.pathway.items.map((id) => o.view.items.get(id)).filter((i): i is Item => i !== undefined);
  const skills = [...new Set(items.flatMap((i) => i.skills))];
  const gradedOf = new Map(skills.map((s) => [s, items.filter((i) => isGraded(i) && i.skills.includes(s))]));
  const masteredAll = (l: SimLearner) => skills.every((s) => l.mastered(s));
  const seedRng = makeRng(o.seed);
  const states: SimState[] = Array.from({ length: o.learners }, () => {
    const rng = makeRng(Math.floor(seedRng() * 2 ** 31));
    const learner = makeLearner(o.simulator, o.view.prerequisites, rng, { items, bkt: o.bkt });
    return { learner, history: [], rng, overPractice: 0 };
  });
  for (const s of states) if (masteredAll(s.learner)) s.masteredAt = 0;
  const inPathway = new Set(items.map((i) => i.id));
  const predictor: Predictor = o.perfectPredictions
    ? { version: 'perfect:simulator', predict: async (requests) => requests.map((r, n) => Float32Array.from(r.candidates, (c) => states[n].learner.pCorrect(o.view.items.get(c.itemId)!))) }
    : o.predictor;

  for (let t = 0; t < o.steps; t++) {
    const choices =
      o.policy === 'wayfinder'
        ? (await pathwayDecisions(o.view, states.map((s) => ({ history: s.history, rng: s.rng })), predictor)).map((d) => d?.itemId)
        : states.map((s) => BASELINES[o.policy as Exclude<PolicyName, 'wayfinder'>](items, stepsFromStatements(s.history, inPathway), s.rng));
    states.forEach((s, n) => {
      const item = o.view.items.get(choices[n] ?? '');
      if (!item) return;
      if (isGraded(item)) {
        if (item.skills.every((k) => s.learner.mastered(k))) s.overPractice++;
        const success = s.learner.answer(item, s.rng);
        s.history.push({ verb: 'answered', object: { id: item.id, kind: 'item' }, result: { success } });
      } else {
        s.learner.study(item, s.rng);
        s.history.push({ verb: 'completed', object: { id: item.id, kind: 'item' } });
      }
      if (s.masteredAt === undefined && masteredAll(s.learner)) s.masteredAt = t + 1;
    });
    o.onStep?.(t + 1);
  }

  const postTest = (l: SimLearner) => skills.reduce((sum, s) => sum + mean((gradedOf.get(s) ?? []).map((i) => l.pCorrect(i))), 0) / skills.length;
  return {
    policy: o.policy,
    simulator: o.simulator,
    learners: o.learners,
    masteredShare: states.filter((s) => s.masteredAt !== undefined).length / o.learners,
    medianStepsToMastery: median(states.map((s) => s.masteredAt ?? o.steps + 1)),
    postTest: mean(states.map((s) => postTest(s.learner))),
    overPractice: mean(states.map((s) => s.overPractice)),
    modelVersion: o.policy === 'wayfinder' ? predictor.version : 'none',
    histories: states.map((s) => s.history),
  };
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}
