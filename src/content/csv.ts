import { parse } from 'csv-parse/sync';
import type { Problem } from './check.js';

/**
 * Items as CSV, one row per item, for authors who work in a spreadsheet. Columns:
 * id, title, type, body, skills (";"-separated), difficulty, estimated_minutes, language,
 * choices ("|"-separated; ids a, b, c… in order), correct (choice ids, ";"-separated),
 * answer (numeric: the value; short_text: accepted answers, "|"-separated), tolerance, unit,
 * hints ("|"-separated), feedback_correct, feedback_incorrect, video_url, and for a second
 * language title_<lang>, body_<lang>, hints_<lang> (e.g. title_zh-Hans).
 */
export const CSV_COLUMNS = [
  'id', 'title', 'type', 'body', 'skills', 'difficulty', 'estimated_minutes', 'language', 'choices', 'correct',
  'answer', 'tolerance', 'unit', 'hints', 'feedback_correct', 'feedback_incorrect', 'video_url',
] as const;
const TRANSLATED = /^(title|body|hints)_(en|zh-Hans)$/;

const list = (v: string | undefined, sep: string) => (v ?? '').split(sep).map((s) => s.trim()).filter(Boolean);
const num = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : Number(v));
const choiceId = (i: number) => String.fromCharCode(97 + i);

export type CsvResult = { ok: true; items: Record<string, unknown>[] } | { ok: false; problems: Problem[] };

export function itemsFromCsv(text: string): CsvResult {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    return { ok: false, problems: [{ kind: 'format', place: 'file', message: `not readable as CSV: ${(err as Error).message}` }] };
  }
  const unknown = Object.keys(rows[0] ?? {}).filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c) && !TRANSLATED.test(c));
  if (unknown.length) {
    return { ok: false, problems: [{ kind: 'format', place: 'header', message: `unknown columns ${unknown.join(', ')}; known: ${CSV_COLUMNS.join(', ')}` }] };
  }
  return { ok: true, items: rows.map(itemFromRow) };
}

function itemFromRow(r: Record<string, string>): Record<string, unknown> {
  const item: Record<string, unknown> = {
    id: r.id,
    title: r.title,
    type: r.type,
    body: r.body ?? '',
    skills: list(r.skills, ';'),
    difficulty: num(r.difficulty),
    estimatedMinutes: num(r.estimated_minutes),
    language: r.language || undefined,
    hints: list(r.hints, '|'),
    feedback: { correct: r.feedback_correct || undefined, incorrect: r.feedback_incorrect || undefined },
    videoUrl: r.video_url || undefined,
  };
  if (r.choices) {
    item.choices = list(r.choices, '|').map((text, i) => ({ id: choiceId(i), text }));
    const correct = list(r.correct, ';');
    item.answer = { correct };
    if (correct.length > 1) item.multiple = true;
  } else if (r.type === 'numeric' && r.answer) {
    item.answer = { value: Number(r.answer), tolerance: num(r.tolerance), unit: r.unit || undefined };
  } else if (r.type === 'short_text' && r.answer) {
    item.answer = { accepted: list(r.answer, '|') };
  }
  const translations: Record<string, Record<string, unknown>> = {};
  for (const [col, value] of Object.entries(r)) {
    const m = TRANSLATED.exec(col);
    if (!m || !value) continue;
    (translations[m[2]] ??= {})[m[1]] = m[1] === 'hints' ? list(value, '|') : value;
  }
  if (Object.keys(translations).length) item.translations = translations;
  // Empty cells are absent fields, not empty values, so the format's defaults apply.
  return JSON.parse(JSON.stringify(item));
}
