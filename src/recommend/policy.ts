/**
 * The teaching policy: what a learner gets next in a pathway. It sees only what the product sees —
 * the learner's statements (as steps) and the model's predicted success on each item — never a
 * simulator's hidden state, and the simulator calls exactly this code.
 *
 * 1. A skill is mastered when the learner has answered at least `minAttempts` of its items and the
 *    mean predicted success over its items reaches `masteryThreshold`.
 * 2. A skill is open when every prerequisite inside the pathway is mastered; items of skills that
 *    are not open are never offered (prerequisites outside the pathway cannot be practised here).
 * 3. No answers yet: a diagnostic item of an open skill, the one whose outcome is least certain.
 * 4. A mastered skill comes back once it has rested `spacingSteps`, at most one review per `reviewGap` steps.
 * 5. Otherwise practice on open, unmastered skills: a first-time skill the learner is unlikely to
 *    get starts with its reading; else the item whose predicted success is closest to
 *    `difficultyTarget`. With probability `exploration`, any open item instead (so the model keeps learning).
 * 6. Nothing from the last `noRepeatWithin` steps, unless nothing else is left.
 */
export const POLICY_VERSION = 'wayfinder-policy/1';

export interface PolicySettings {
  masteryThreshold: number;
  minAttempts: number;
  difficultyTarget: number;
  noRepeatWithin: number;
  spacingSteps: number;
  reviewGap: number;
  exploration: number;
  /** Answers before the diagnostic phase ends. */
  diagnosticAnswers: number;
  /** A first-time skill whose mean predicted success is below this starts with its reading. */
  introduceBelow: number;
}

export const DEFAULT_POLICY_SETTINGS: PolicySettings = {
  masteryThreshold: 0.8,
  minAttempts: 2,
  difficultyTarget: 0.7,
  noRepeatWithin: 3,
  spacingSteps: 20,
  reviewGap: 8,
  exploration: 0.05,
  diagnosticAnswers: 1,
  introduceBelow: 0.5,
};

export interface PolicyItem {
  id: string;
  skills: string[];
  /** Answered and checked (counts as evidence); readings and videos are completed instead. */
  graded: boolean;
}

/** One thing the learner did, from their statements: an answer (correct or not) or a completion. */
export interface Step {
  itemId: string;
  correct?: boolean;
}

export interface PolicyInput {
  /** The pathway's items in authored order. */
  items: PolicyItem[];
  /** Prerequisite skill ids of each skill (the content's skill DAG). */
  prerequisites: Map<string, string[]>;
  /** The learner's steps in this pathway, oldest first. */
  steps: Step[];
  /** Predicted success of each graded item as the learner's next answer. */
  predicted: Map<string, number>;
  /** The item on screen now: never offered as "next". */
  current?: string;
  settings: PolicySettings;
  rng: () => number;
}

export type DecisionKind = 'diagnostic' | 'introduce' | 'practice' | 'review' | 'explore' | 'maintain';

export interface SkillState {
  skill: string;
  attempts: number;
  correct: number;
  /** Mean predicted success over the skill's graded items. */
  predicted: number;
  mastered: boolean;
  open: boolean;
  /** Step index of the last step on the skill, -1 if never. */
  lastStep: number;
}

export interface Decision {
  itemId: string;
  kind: DecisionKind;
  skill: string;
  /** Predicted success on the chosen item (absent for readings). */
  predicted?: number;
  evidence: SkillState;
  stepsSinceSkill: number;
}

/** Per-skill evidence: attempts and correct answers from the steps, mastery from the predictions. */
export function skillStates(input: Pick<PolicyInput, 'items' | 'prerequisites' | 'steps' | 'predicted' | 'settings'>): Map<string, SkillState> {
  const { items, steps, predicted, settings } = input;
  const byId = new Map(items.map((i) => [i.id, i]));
  const states = new Map<string, SkillState>();
  const sums = new Map<string, { total: number; n: number }>();
  for (const item of items) {
    for (const skill of item.skills) {
      if (!states.has(skill)) states.set(skill, { skill, attempts: 0, correct: 0, predicted: 0, mastered: false, open: false, lastStep: -1 });
      const p = predicted.get(item.id);
      if (item.graded && p !== undefined) {
        const acc = sums.get(skill) ?? { total: 0, n: 0 };
        acc.total += p;
        acc.n++;
        sums.set(skill, acc);
      }
    }
  }
  steps.forEach((step, t) => {
    for (const skill of byId.get(step.itemId)?.skills ?? []) {
      const s = states.get(skill)!;
      s.lastStep = t;
      if (step.correct === undefined) continue;
      s.attempts++;
      if (step.correct) s.correct++;
    }
  });
  for (const s of states.values()) {
    const sum = sums.get(s.skill);
    s.predicted = sum ? sum.total / sum.n : 0;
    // A skill with nothing to answer in this pathway counts as mastered once the learner has been through its material.
    s.mastered = sum ? s.attempts >= settings.minAttempts && s.predicted >= settings.masteryThreshold : s.lastStep >= 0;
  }
  for (const s of states.values()) s.open = (input.prerequisites.get(s.skill) ?? []).every((p) => !states.has(p) || states.get(p)!.mastered);
  return states;
}

/** An item may be offered only when every one of its skills is open. */
const itemOpen = (item: PolicyItem, states: Map<string, SkillState>) => item.skills.every((s) => states.get(s)?.open ?? true);

/** The skill an item is "about" for reasons and evidence: its least mastered one. */
function mainSkill(item: PolicyItem, states: Map<string, SkillState>): SkillState {
  const own = item.skills.map((s) => states.get(s)!).filter(Boolean);
  return own.sort((a, b) => Number(a.mastered) - Number(b.mastered) || a.predicted - b.predicted)[0] ?? { skill: '', attempts: 0, correct: 0, predicted: 0, mastered: false, open: true, lastStep: -1 };
}

function closestTo(items: PolicyItem[], predicted: Map<string, number>, target: number): PolicyItem | undefined {
  let best: PolicyItem | undefined;
  let gap = Infinity;
  for (const item of items) {
    const d = Math.abs((predicted.get(item.id) ?? 0.5) - target);
    if (d < gap) {
      best = item;
      gap = d;
    }
  }
  return best;
}

/** The next item for the learner, or undefined when the pathway has nothing to offer. */
export function decide(input: PolicyInput): Decision | undefined {
  const { items, steps, predicted, settings, rng } = input;
  const states = skillStates(input);
  const now = steps.length;
  const recent = new Set(steps.slice(-settings.noRepeatWithin).map((s) => s.itemId));
  if (input.current) recent.add(input.current);
  const fresh = (list: PolicyItem[]) => {
    const notRecent = list.filter((i) => !recent.has(i.id));
    return notRecent.length ? notRecent : list.filter((i) => i.id !== input.current);
  };
  const open = items.filter((i) => itemOpen(i, states));
  const graded = open.filter((i) => i.graded);
  const answers = steps.filter((s) => s.correct !== undefined).length;
  const make = (item: PolicyItem, kind: DecisionKind): Decision => {
    const evidence = mainSkill(item, states);
    return { itemId: item.id, kind, skill: evidence.skill, predicted: item.graded ? predicted.get(item.id) : undefined, evidence, stepsSinceSkill: evidence.lastStep < 0 ? -1 : now - evidence.lastStep };
  };
  const unmastered = (i: PolicyItem) => i.skills.some((s) => !states.get(s)?.mastered);

  // 3. Diagnostic: the open item whose outcome tells most (success chance nearest one half).
  if (answers < settings.diagnosticAnswers) {
    const pick = closestTo(fresh(graded.filter(unmastered)), predicted, 0.5);
    if (pick) return make(pick, 'diagnostic');
  }

  // 4. Spaced review of a rested mastered skill, not too often.
  const byId = new Map(items.map((i) => [i.id, i]));
  let lastReview = now - 1;
  while (lastReview >= 0 && !byId.get(steps[lastReview].itemId)?.skills.every((k) => states.get(k)?.mastered)) lastReview--;
  if (now - Math.max(lastReview, 0) >= settings.reviewGap) {
    const due = [...states.values()].filter((s) => s.mastered && s.lastStep >= 0 && now - s.lastStep >= settings.spacingSteps).sort((a, b) => a.lastStep - b.lastStep)[0];
    if (due) {
      const pick = closestTo(fresh(graded.filter((i) => i.skills.includes(due.skill))), predicted, settings.difficultyTarget);
      if (pick) return make(pick, 'review');
    }
  }

  const practice = fresh(graded.filter(unmastered));
  // 5a. A little exploration among open, unmastered items.
  if (practice.length > 1 && rng() < settings.exploration) return make(practice[Math.floor(rng() * practice.length)], 'explore');

  // 5b. A new skill the learner is unlikely to get yet starts with its reading.
  const newSkills = [...states.values()].filter((s) => s.open && !s.mastered && s.lastStep < 0 && s.predicted < settings.introduceBelow);
  for (const s of newSkills) {
    const reading = open.find((i) => !i.graded && i.skills.includes(s.skill) && !recent.has(i.id) && !steps.some((x) => x.itemId === i.id));
    if (reading) return make(reading, 'introduce');
  }

  // 5c. Desirable difficulty on open, unmastered skills.
  const pick = closestTo(practice, predicted, settings.difficultyTarget);
  if (pick) return make(pick, 'practice');

  // Everything open is mastered: keep the weakest skill fresh.
  const weakest = closestTo(fresh(graded), predicted, settings.difficultyTarget);
  return weakest ? make(weakest, 'maintain') : undefined;
}
