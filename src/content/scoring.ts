import { answerSchemas, type Item, type MultipleChoiceKey, type NumericKey, type ShortTextKey } from './format.js';
import { normaliseText, parseNumber, type ParsedNumber } from './normalise.js';

/**
 * Checks a learner's response against an item's answer key, on the server only. The result says
 * what the player shows (which feedback) and what the activity log records (success, score).
 */
export type Response = { choices: string[] } | { text: string } | { done: true };

export interface Outcome {
  /** Reading and video items are completed, not graded. */
  graded: boolean;
  success: boolean;
  /** 0–1; partial credit for multiple choice with several correct answers. */
  score: number;
  /** Why it was judged so, for the feedback line: a key under `player.why.*`. */
  why: 'correct' | 'incorrect' | 'partial' | 'unit' | 'notANumber' | 'empty' | 'completed';
  /** Choices the learner picked, for per-choice feedback. */
  picked?: string[];
  /** The response as recorded in the activity log. */
  recorded: string;
}

/** Answer keys are parsed here (not trusted as stored) so their defaults apply, e.g. tolerance 0. */
export function scoreResponse(item: Item, response: Response): Outcome {
  switch (item.type) {
    case 'multiple_choice':
      return scoreChoices(item, answerSchemas.multiple_choice.parse(item.answer), 'choices' in response ? response.choices : []);
    case 'numeric':
      return scoreNumeric(answerSchemas.numeric.parse(item.answer), 'text' in response ? response.text : '');
    case 'short_text':
      return scoreText(answerSchemas.short_text.parse(item.answer), 'text' in response ? response.text : '');
    case 'reading':
    case 'video':
      return { graded: false, success: true, score: 1, why: 'completed', recorded: 'completed' };
  }
}

const ungraded = (why: Outcome['why'], recorded: string): Outcome => ({ graded: true, success: false, score: 0, why, recorded });

function scoreChoices(item: Item, key: MultipleChoiceKey, picked: string[]): Outcome {
  const known = new Set((item.choices ?? []).map((c) => c.id));
  const chosen = [...new Set(picked.filter((p) => known.has(p)))];
  if (!chosen.length) return ungraded('empty', '');
  if (!item.multiple) chosen.splice(1);
  if (key.weights) return scoreWeighted(key.weights, chosen);
  const correct = new Set(key.correct);
  const right = chosen.filter((c) => correct.has(c)).length;
  const wrong = chosen.length - right;
  // Each wrong pick cancels a right one, so ticking every box earns nothing.
  const score = Math.max(0, (right - wrong) / correct.size);
  const success = wrong === 0 && right === correct.size;
  return { graded: true, success, score: success ? 1 : score, why: success ? 'correct' : score > 0 ? 'partial' : 'incorrect', picked: chosen, recorded: chosen.join(',') };
}

/** Moodle counts a fraction this close to 1 as full marks (question_state::graded_state_for_fraction). */
const FULL_MARKS = 1 - 1e-6;

function scoreWeighted(weights: Record<string, number>, chosen: string[]): Outcome {
  const score = Math.min(1, Math.max(0, chosen.reduce((sum, c) => sum + (weights[c] ?? 0), 0)));
  const success = score >= FULL_MARKS;
  return { graded: true, success, score: success ? 1 : score, why: success ? 'correct' : score > 1e-6 ? 'partial' : 'incorrect', picked: chosen, recorded: chosen.join(',') };
}

function scoreNumeric(key: NumericKey, text: string): Outcome {
  if (!text.trim()) return ungraded('empty', '');
  const n = parseNumber(text);
  if (!n) return ungraded('notANumber', text);
  const units = [key.unit, ...key.unitAliases].filter((u): u is string => !!u).map(normaliseText);
  // A relative epsilon keeps 0.1 + 0.2 style float noise from failing an exact key.
  const tolerance = key.tolerance + Math.abs(key.value) * 1e-9;
  const within = (v: number) => Math.abs(v - key.value) <= tolerance;
  if (key.unitPenalty !== undefined) return scoreMoodleUnits(key, n, units, within, text);
  // A missing unit is accepted; a different one is not (5 m is not 5 cm).
  if (n.unit && !units.includes(n.unit)) return ungraded('unit', text);
  const success = within(n.value);
  return { graded: true, success, score: success ? 1 : 0, why: success ? 'correct' : 'incorrect', recorded: text };
}

/**
 * Moodle's numerical grading (qtype_numerical_question::grade_response): the number matches in the
 * unit given (divided by its multiplier) or as typed; a missing, unknown or wrong unit costs the penalty.
 */
function scoreMoodleUnits(key: NumericKey, n: ParsedNumber, base: string[], within: (v: number) => boolean, text: string): Outcome {
  const multipliers = new Map<string, number>(base.map((u) => [u, 1]));
  for (const [u, m] of Object.entries(key.unitMultipliers ?? {})) multipliers.set(normaliseText(u), m);
  const multiplier = n.unit ? multipliers.get(n.unit) : undefined;
  const unitRight = multiplier !== undefined && within(n.value / multiplier);
  if (!unitRight && !within(n.value)) return { graded: true, success: false, score: 0, why: 'incorrect', recorded: text };
  const score = unitRight ? 1 : Math.max(0, 1 - key.unitPenalty!);
  const success = score >= FULL_MARKS;
  return { graded: true, success, score: success ? 1 : score, why: success ? 'correct' : 'unit', recorded: text };
}

function scoreText(key: ShortTextKey, text: string): Outcome {
  if (!(key.match === 'normalised' ? normaliseText(text) : text.trim())) return ungraded('empty', '');
  const success = key.accepted.some((a) => textMatches(key, a, text));
  return { graded: true, success, score: success ? 1 : 0, why: success ? 'correct' : 'incorrect', recorded: text };
}

function textMatches(key: ShortTextKey, accepted: string, given: string): boolean {
  if (key.match === 'normalised') return normaliseText(accepted) === normaliseText(given);
  const flags = key.caseSensitive ? 'u' : 'iu';
  const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Moodle: runs of unescaped "*" match anything, "\*" is a star (compare_string_with_wildcard).
  const pattern = key.match === 'wildcard'
    ? accepted.normalize('NFC').split(/(?<!\\)\*+/).map((bit) => literal(bit.replace(/\\\*/g, '*'))).join('.*')
    : literal(accepted.normalize('NFC').trim());
  return new RegExp(`^${pattern}$`, flags).test(given.normalize('NFC').trim());
}
