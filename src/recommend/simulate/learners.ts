import type { Item } from '../../content/format.js';
import { isGraded } from '../data/activity.js';
import type { Rng } from '../random.js';
import { DEMO_BKT, DEMO_IRT, type BktParams, type IrtGrowthParams } from './params.js';

/**
 * Simulated learners with hidden state. Policies never see it: they see the statements the
 * simulation writes (answers and completions) and the model's predictions from those.
 */
export interface SimLearner {
  /** Attempts a graded item (answer drawn from the hidden state), then learns from it. */
  answer(item: Item, rng: Rng): boolean;
  /** Reads or watches an ungraded item, and may learn from it. */
  study(item: Item, rng: Rng): void;
  /** P(correct) on an item now. */
  pCorrect(item: Item): number;
  mastered(skill: string): boolean;
}

export type SimulatorName = 'bkt' | 'irt';
export const SIMULATORS: SimulatorName[] = ['bkt', 'irt'];

const difficultyOf = (item: Item) => item.difficulty ?? 0.5;

/**
 * BKT-style: each skill is known or not. P(correct) = 1 − slip if every skill of the item is known,
 * else guess (slip grows and guess shrinks with item difficulty). After an attempt or a reading each
 * unknown skill becomes known with the learning probability, cut by `prerequisiteFactor` while a
 * prerequisite is unknown. No forgetting.
 */
export class BktLearner implements SimLearner {
  private readonly known = new Set<string>();

  constructor(
    private readonly prerequisites: Map<string, string[]>,
    private readonly p: BktParams,
    rng: Rng,
  ) {
    for (const [skill, init] of Object.entries(p.init)) if (rng() < init) this.known.add(skill);
  }

  pCorrect(item: Item): number {
    const d = difficultyOf(item);
    return item.skills.every((s) => this.known.has(s)) ? 1 - this.p.slip * (0.5 + d) : this.p.guess * (1.5 - d);
  }

  private learnFrom(item: Item, rate: number, rng: Rng): void {
    for (const s of item.skills) {
      if (this.known.has(s)) continue;
      const ready = (this.prerequisites.get(s) ?? []).every((pre) => this.known.has(pre) || !(pre in this.p.init));
      if (rng() < rate * (ready ? 1 : this.p.prerequisiteFactor)) this.known.add(s);
    }
  }

  answer(item: Item, rng: Rng): boolean {
    const correct = rng() < this.pCorrect(item);
    this.learnFrom(item, this.p.learn, rng);
    return correct;
  }

  study(item: Item, rng: Rng): void {
    this.learnFrom(item, this.p.learnFromReading, rng);
  }

  mastered(skill: string): boolean {
    return this.known.has(skill);
  }
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** Authored difficulty 0..1 as an IRT b (0.5 → 0). */
const logitDifficulty = (item: Item) => 4 * (difficultyOf(item) - 0.5);
const normal = (rng: Rng) => Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());

/**
 * IRT with growth (additive-factors style): an ability per skill, P(correct) = σ(θ_skill − b_item)
 * with b from the item's authored difficulty (the weakest skill counts for a multi-skill item).
 * Every attempt raises θ of the item's skills by `growth` (a reading by `growthFromReading`), cut
 * while a prerequisite is below mastery. A skill is mastered when the mean P(correct) over its graded
 * items in the simulated content reaches `masteredAt`: the product's own definition (predicted success
 * on the skill's items) and the post-test's, so a policy is judged by the mastery it is asked to reach.
 * (A skill with no items there is judged on an item of difficulty ½.) No slip/guess states: knowledge
 * is graded, not binary.
 */
export class IrtLearner implements SimLearner {
  private readonly theta = new Map<string, number>();
  /** b of each skill's graded items. */
  private readonly itemDifficulties = new Map<string, number[]>();

  constructor(
    private readonly prerequisites: Map<string, string[]>,
    private readonly p: IrtGrowthParams,
    rng: Rng,
    items: Item[] = [],
  ) {
    for (const [skill, mean] of Object.entries(p.ability)) this.theta.set(skill, mean + p.spread * normal(rng));
    for (const item of items.filter(isGraded)) {
      for (const s of item.skills) {
        const bs = this.itemDifficulties.get(s) ?? [];
        bs.push(logitDifficulty(item));
        this.itemDifficulties.set(s, bs);
      }
    }
  }

  private ability(skill: string): number {
    return this.theta.get(skill) ?? 0;
  }

  pCorrect(item: Item): number {
    return sigmoid(Math.min(...item.skills.map((s) => this.ability(s))) - logitDifficulty(item));
  }

  mastered(skill: string): boolean {
    const bs = this.itemDifficulties.get(skill) ?? [0];
    const theta = this.ability(skill);
    return bs.reduce((sum, b) => sum + sigmoid(theta - b), 0) / bs.length >= this.p.masteredAt;
  }

  private grow(item: Item, rate: number): void {
    for (const s of item.skills) {
      const ready = (this.prerequisites.get(s) ?? []).every((pre) => this.mastered(pre) || !this.theta.has(pre));
      this.theta.set(s, this.ability(s) + rate * (ready ? 1 : this.p.prerequisiteFactor));
    }
  }

  answer(item: Item, rng: Rng): boolean {
    const correct = rng() < this.pCorrect(item);
    this.grow(item, this.p.growth);
    return correct;
  }

  study(item: Item): void {
    this.grow(item, this.p.growthFromReading);
  }
}

/** `items`: the simulated content, on whose items the IRT learner's mastery is judged. */
export function makeLearner(kind: SimulatorName, prerequisites: Map<string, string[]>, rng: Rng, o: { items?: Item[]; bkt?: BktParams; irt?: IrtGrowthParams } = {}): SimLearner {
  return kind === 'bkt' ? new BktLearner(prerequisites, o.bkt ?? DEMO_BKT, rng) : new IrtLearner(prerequisites, o.irt ?? DEMO_IRT, rng, o.items);
}
