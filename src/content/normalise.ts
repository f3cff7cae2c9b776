/**
 * How typed answers are compared. Learners type on every kind of keyboard: a Chinese IME gives
 * full-width digits, letters and punctuation (３／４, ｘ＝３, 。), so NFKC folds them to their
 * half-width forms first; case, spacing and sentence punctuation never decide correctness.
 */

/** Punctuation that carries no meaning in a short answer (ASCII and CJK forms). */
const SENTENCE_PUNCTUATION = /[,;:!?"'`“”‘’«»()[\]{}<>。、，；：！？「」『』《》〈〉【】（）…·]/gu;
/** A space next to anything but a Latin letter or digit (e.g. around "=", or between Han characters). */
const INSIGNIFICANT_SPACE = /(?<=[^\p{Script=Latin}\p{Nd}]) | (?=[^\p{Script=Latin}\p{Nd}])/gu;

export function foldWidth(s: string): string {
  return s.normalize('NFKC').replace(/\u2212/g, '-');
}

export function normaliseText(s: string): string {
  return foldWidth(s)
    .toLowerCase()
    .replace(SENTENCE_PUNCTUATION, ' ')
    .replace(/\.(?!\d)|(?<!\d)\./g, ' ') // a full stop, but not a decimal point
    .replace(/\s+/g, ' ')
    .trim()
    .replace(INSIGNIFICANT_SPACE, '');
}

export interface ParsedNumber {
  value: number;
  /** What followed the number, normalised (e.g. "cm"); empty when none. */
  unit: string;
}

const NUMBER = /^([+-]?)(?:(\d+) (\d+)\/(\d+)|(\d+)\/(\d+)|(\d*\.?\d+(?:e[+-]?\d+)?))\s*(.*)$/i;

/** Parses "0.75", "３／４", "1 1/2", "1,000", "0,5", "-2", "12 cm"; undefined when it is no number. */
export function parseNumber(input: string): ParsedNumber | undefined {
  let s = foldWidth(input).trim().replace(/\s+/g, ' ');
  // "1,000,000" groups thousands; a single comma before 1–2 or 4+ digits is a decimal comma.
  s = /^[+-]?\d{1,3}(,\d{3})+(?!\d)/.test(s) ? s.replace(/,/g, '') : s.replace(/^([+-]?\d+),(\d+)/, '$1.$2');
  const m = NUMBER.exec(s);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  let value: number;
  if (m[2] !== undefined) value = Number(m[2]) + Number(m[3]) / Number(m[4]);
  else if (m[5] !== undefined) value = Number(m[5]) / Number(m[6]);
  else value = Number(m[7]);
  if (!Number.isFinite(value)) return undefined;
  return { value: sign * value, unit: normaliseText(m[8] ?? '') };
}
