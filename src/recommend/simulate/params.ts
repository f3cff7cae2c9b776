/**
 * The simulator's documented parameters for the demo course (algebra readiness). They describe a
 * plausible class — most learners arrive knowing some arithmetic, few know any algebra — and are
 * fixed here, the same for every policy (never tuned to one). docs/recommender.md explains them.
 */
export interface BktParams {
  /** P(skill known before the first step), per skill. */
  init: Record<string, number>;
  /** P(learning the skill on one graded attempt) when its prerequisites are known. */
  learn: number;
  /** P(learning on a reading or video). */
  learnFromReading: number;
  /** Learning rate multiplier while a prerequisite is still unknown. */
  prerequisiteFactor: number;
  /** P(wrong | known) for an average item; harder items slip more. */
  slip: number;
  /** P(right | unknown) for an average item; easier items are guessed more. */
  guess: number;
}

export interface IrtGrowthParams {
  /** Mean initial ability per skill (logit scale); learners vary around it with `spread`. */
  ability: Record<string, number>;
  spread: number;
  /** Ability gained per graded attempt, whatever its outcome (scaled down while a prerequisite is below mastery). */
  growth: number;
  growthFromReading: number;
  prerequisiteFactor: number;
  /** Mean P(correct) over a skill's items that counts as mastered in the simulated learner. */
  masteredAt: number;
}

/** Skills earlier in the demo's prerequisite DAG are known by more learners. */
const INIT: Record<string, number> = {
  'add-sub': 0.75,
  mult: 0.6,
  div: 0.5,
  negatives: 0.4,
  'order-ops': 0.35,
  'frac-concept': 0.4,
  'frac-equiv': 0.3,
  'frac-add': 0.2,
  'frac-mult': 0.2,
  decimals: 0.25,
  expressions: 0.15,
  'equations-1': 0.1,
  'equations-2': 0.05,
};

export const DEMO_BKT: BktParams = { init: INIT, learn: 0.3, learnFromReading: 0.15, prerequisiteFactor: 0.3, slip: 0.1, guess: 0.2 };

/** The same class on the IRT scale: logit(P(known)) as mean ability, so both simulators start alike. */
export const DEMO_IRT: IrtGrowthParams = {
  ability: Object.fromEntries(Object.entries(INIT).map(([s, p]) => [s, Math.log(p / (1 - p)) * 1.5])),
  spread: 1,
  growth: 0.35,
  growthFromReading: 0.2,
  prerequisiteFactor: 0.3,
  masteredAt: 0.8,
};
