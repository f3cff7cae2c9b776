/**
 * One CSV cell, for every CSV Wayfinder writes: RFC 4180 quoting, and a leading apostrophe on text
 * a spreadsheet would run as a formula (OWASP's advice on CSV injection). Learners choose some of
 * that text (responses, object ids), so the guard also catches what spreadsheets fold or skip
 * first: a leading space, tab or newline, and the full-width and small forms of = + - @
 * (`＝`, `﹢`, …, folded by NFKC) and the minus sign U+2212 (issue 14, finding 18).
 */
const FORMULA_START = /^[=+\-@\u2212]/u;
const LEADING_SPACE = /^[\s\p{Cc}\p{Cf}]+/u;

export function formulaSafe(s: string): string {
  const rest = s.replace(LEADING_SPACE, '');
  const risky = rest.length < s.length || FORMULA_START.test(rest.slice(0, 2).normalize('NFKC'));
  return risky ? `'${s}` : s;
}

export function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? formulaSafe(v) : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
