import type { Item } from '../../content/format.js';
import { isGraded } from '../data/activity.js';
import type { Rng } from '../random.js';
import type { Step } from '../policy.js';

/**
 * The comparison policies. Like the product's policy they see only the learner's steps (from
 * statements), never the simulator's hidden state.
 */
export const POLICY_NAMES = ['wayfinder', 'fixed-order', 'random', 'easiest-first', 'mastery-threshold'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export type Baseline = (items: Item[], steps: Step[], rng: Rng) => string;

/** The pathway's authored order, over and over. */
const fixedOrder: Baseline = (items, steps) => items[steps.length % items.length].id;

const random: Baseline = (items, _steps, rng) => items[Math.floor(rng() * items.length)].id;

/** Authored difficulty ascending (ties in authored order), over and over: "build confidence first". */
const easiestFirst: Baseline = (items, steps) => {
  const sorted = items.map((item, i) => ({ item, i })).sort((a, b) => (a.item.difficulty ?? 0.5) - (b.item.difficulty ?? 0.5) || a.i - b.i);
  return sorted[steps.length % sorted.length].item.id;
};

/** Correct answers in a row on a skill that count as mastered (the classic skill-builder rule). */
export const STREAK = 3;

/**
 * Mastery learning as classrooms run it: skills in the pathway's order; on each, its reading, then
 * its items in turn until `STREAK` correct answers in a row; then the next skill. Done: authored order.
 */
const masteryThreshold: Baseline = (items, steps) => {
  const byId = new Map(items.map((i) => [i.id, i]));
  const skills = [...new Set(items.flatMap((i) => i.skills))];
  for (const skill of skills) {
    const own = steps.filter((s) => byId.get(s.itemId)?.skills.includes(skill));
    const answers = own.filter((s) => s.correct !== undefined);
    const streak = answers.length - 1 - answers.map((a) => a.correct).lastIndexOf(false);
    if (streak >= STREAK) continue;
    const reading = items.find((i) => !isGraded(i) && i.skills.includes(skill));
    if (reading && !own.some((s) => s.itemId === reading.id)) return reading.id;
    const graded = items.filter((i) => isGraded(i) && i.skills.includes(skill));
    if (graded.length) return graded[answers.length % graded.length].id;
  }
  return fixedOrder(items, steps, () => 0);
};

export const BASELINES: Record<Exclude<PolicyName, 'wayfinder'>, Baseline> = {
  'fixed-order': fixedOrder,
  random,
  'easiest-first': easiestFirst,
  'mastery-threshold': masteryThreshold,
};
