import { answerSchemas, type Item, type MultipleChoiceKey, type NumericKey, type ShortTextKey } from './format.js';
import { normaliseText, parseNumber } from './normalise.js';

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
  const correct = new Set(key.correct);
  const right = chosen.filter((c) => correct.has(c)).length;
  const wrong = chosen.length - right;
  // Each wrong pick cancels a right one, so ticking every box earns nothing.
  const score = Math.max(0, (right - wrong) / correct.size);
  const success = wrong === 0 && right === correct.size;
  return { graded: true, success, score: success ? 1 : score, why: success ? 'correct' : score > 0 ? 'partial' : 'incorrect', picked: chosen, recorded: chosen.join(',') };
}

function scoreNumeric(key: NumericKey, text: string): Outcome {
  if (!text.trim()) return ungraded('empty', '');
  const n = parseNumber(text);
  if (!n) return ungraded('notANumber', text);
  const units = [key.unit, ...key.unitAliases].filter((u): u is string => !!u).map(normaliseText);
  // A missing unit is accepted; a different one is not (5 m is not 5 cm).
  if (n.unit && !units.includes(n.unit)) return ungraded('unit', text);
  // A relative epsilon keeps 0.1 + 0.2 style float noise from failing an exact key.
  const tolerance = key.tolerance + Math.abs(key.value) * 1e-9;
  const success = Math.abs(n.value - key.value) <= tolerance;
  return { graded: true, success, score: success ? 1 : 0, why: success ? 'correct' : 'incorrect', recorded: text };
}

function scoreText(key: ShortTextKey, text: string): Outcome {
  const given = normaliseText(text);
  if (!given) return ungraded('empty', '');
  const success = key.accepted.some((a) => normaliseText(a) === given);
  return { graded: true, success, score: success ? 1 : 0, why: success ? 'correct' : 'incorrect', recorded: text };
}
