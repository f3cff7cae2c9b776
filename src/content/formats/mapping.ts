import { createHash } from 'node:crypto';
import type { Item, Pathway, Skill } from '../format.js';
import type { Answer, Bank, NumericAnswer, QuestionBody, SourceQuestion } from './bank.js';

/**
 * A read bank → Wayfinder skills, items and pathways, question by question. A question is mapped
 * only when Wayfinder scores every response exactly as the source does; otherwise it is skipped
 * with a reason (a code for the page's message, and the English words). Ids are stable: from the
 * source's id (Moodle idnumber, QTI ident) or its category and name, so importing the same bank
 * again, or the same Moodle bank as XML and as GIFT, updates the same items.
 */
export interface SkipReason {
  code: 'unsupported_type' | 'no_full_marks' | 'negative_single' | 'partial_answers' | 'several_values' | 'units_left' | 'answer_order' | 'too_few_choices' | 'not_a_number';
  params: Record<string, string | number>;
  message: string;
}

export interface Planned {
  place: string;
  id: string;
  title: string;
  type: Item['type'];
  skills: string[];
  warnings: string[];
}

export interface Skipped {
  place: string;
  name: string;
  reason: SkipReason;
}

export interface BankPlan {
  skills: Skill[];
  items: Item[];
  pathways: Pathway[];
  planned: Planned[];
  skipped: Skipped[];
  /** Source place of each item id, so problems found later name the question, not `items[3]`. */
  places: Map<string, string>;
  /** The source names (tags, categories) each skill id was made from, for renaming in the preview. */
  skillSources: Map<string, Set<string>>;
}

export interface PlanOptions {
  /** The teacher's renames from the preview (source name → name); equal names merge. */
  skillNames?: Record<string, string>;
  /** Skills already in the course: an imported skill with the same name (any case) joins it. */
  existingSkills?: Skill[];
  /** Pathway title when the bank has no categories and no title. */
  fallbackTitle?: string;
}

const FULL = 1 - 1e-6;
const hash = (s: string, n: number) => createHash('sha256').update(s).digest('hex').slice(0, n);
const slug = (s: string) => s.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
const stableId = (prefix: string, name: string, key: string) => `${slug(name) || prefix}-${hash(key, 10)}`;
const pct = (f: number) => Math.round(f * 10000) / 100;
const HAN = /\p{Script=Han}/u;

const skip = (code: SkipReason['code'], params: SkipReason['params'], message: string): SkipReason => ({ code, params, message });

export function planImport(bank: Bank, o: PlanOptions = {}): BankPlan {
  const byName = new Map<string, Skill>((o.existingSkills ?? []).map((s) => [s.name.toLowerCase(), s]));
  const skills = new Map<string, Skill>();
  const skillSources = new Map<string, Set<string>>();
  const skillFor = (source: string): string => {
    const name = (o.skillNames?.[source] ?? source).trim().slice(0, 200) || source;
    let id = byName.get(name.toLowerCase())?.id;
    if (!id) {
      id = stableId('skill', name, `skill:${name.toLowerCase()}`);
      skills.set(id, { id, name, prerequisites: [] });
      byName.set(name.toLowerCase(), skills.get(id)!);
    }
    skillSources.set(id, (skillSources.get(id) ?? new Set()).add(source));
    return id;
  };
  const skillPrefixed = bank.questions.some((q) => q.tags.some((t) => /^skill:/i.test(t)));
  const fallback = bank.title || o.fallbackTitle || 'Imported questions';
  const plan: BankPlan = { skills: [], items: [], pathways: [], planned: [], skipped: [], places: new Map(), skillSources };
  const pathways = new Map<string, Pathway>();
  const seenKeys = new Map<string, number>();
  for (const q of bank.questions) {
    const mapped = mapBody(q);
    if ('code' in mapped) {
      plan.skipped.push({ place: q.place, name: q.name, reason: mapped });
      continue;
    }
    const n = (seenKeys.get(q.key) ?? 0) + 1;
    seenKeys.set(q.key, n);
    const id = stableId('q', q.name, n === 1 ? q.key : `${q.key}#${n}`);
    const tags = skillPrefixed ? q.tags.filter((t) => /^skill:/i.test(t)).map((t) => t.replace(/^skill:\s*/i, '')) : q.tags;
    const sources = tags.length ? tags : [q.category.at(-1) ?? fallback];
    const itemSkills = [...new Set(sources.filter(Boolean).map(skillFor))];
    const item = { id, title: q.name.slice(0, 300), skills: itemSkills, language: HAN.test(q.name + q.text) ? 'zh-Hans' : 'en', hints: q.hints, ...mapped } as Item;
    plan.items.push(item);
    plan.places.set(id, q.place);
    plan.planned.push({ place: q.place, id, title: item.title, type: item.type, skills: itemSkills, warnings: q.warnings });
    const top = q.category[0] ?? fallback;
    const pid = stableId('pathway', top, `pathway:${top}`);
    const p = pathways.get(pid) ?? { id: pid, title: top.slice(0, 300), skills: [], items: [], settings: { masteryThreshold: 0.8, difficultyTarget: 0.7 } };
    p.items.push(id);
    for (const s of itemSkills) if (!p.skills.includes(s)) p.skills.push(s);
    pathways.set(pid, p);
  }
  plan.skills = [...skills.values()];
  plan.pathways = [...pathways.values()];
  return plan;
}

type Mapped = Omit<Item, 'id' | 'title' | 'skills' | 'language' | 'hints'>;

/** What the learner sees after answering: the source's feedback for the outcome, then its general feedback. */
function feedbackOf(q: SourceQuestion, correct?: string, incorrect?: string): Item['feedback'] {
  const join = (...parts: (string | undefined)[]) => parts.filter(Boolean).join('\n\n') || undefined;
  return JSON.parse(JSON.stringify({ correct: join(q.feedback.correct ?? correct, q.generalFeedback), incorrect: join(q.feedback.incorrect ?? incorrect, q.generalFeedback) }));
}

function mapBody(q: SourceQuestion): Mapped | SkipReason {
  const b = q.body;
  switch (b.kind) {
    case 'reading':
      return { type: 'reading', body: [q.text, q.generalFeedback].filter(Boolean).join('\n\n'), feedback: {} };
    case 'unsupported':
      return skip('unsupported_type', { type: b.sourceType }, `Wayfinder has no item type that scores a "${b.sourceType}" question the way the source does`);
    case 'truefalse': {
      const zh = HAN.test(q.text);
      return {
        type: 'multiple_choice',
        body: q.text,
        choices: [
          { id: 'true', text: zh ? '正确' : 'True', ...(b.feedbackTrue ? { feedback: b.feedbackTrue } : {}) },
          { id: 'false', text: zh ? '错误' : 'False', ...(b.feedbackFalse ? { feedback: b.feedbackFalse } : {}) },
        ],
        answer: { correct: [b.correct ? 'true' : 'false'] },
        feedback: feedbackOf(q),
      };
    }
    case 'choice':
      return mapChoice(q, b);
    case 'short':
      return mapShort(q, b);
    case 'numerical':
      return mapNumerical(q, b);
  }
}

function mapChoice(q: SourceQuestion, b: Extract<QuestionBody, { kind: 'choice' }>): Mapped | SkipReason {
  if (b.answers.length < 2) return skip('too_few_choices', { n: b.answers.length }, 'a choice question needs at least two choices');
  const ids = b.answers.map((_, i) => String.fromCharCode(97 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : ''));
  const choices = b.answers.map((a, i) => ({ id: ids[i], text: a.text || '—', ...(a.feedback ? { feedback: a.feedback } : {}) }));
  const base = { type: 'multiple_choice' as const, body: q.text, choices, feedback: feedbackOf(q) };
  const full = ids.filter((_, i) => b.answers[i].fraction >= FULL);
  if (b.scoring === 'cancel') {
    if (!full.length) return skip('no_full_marks', {}, 'no choice is marked correct');
    return b.single && full.length === 1 ? { ...base, answer: { correct: full } } : b.single ? { ...base, answer: { correct: full, weights: Object.fromEntries(full.map((c) => [c, 1])) } } : { ...base, multiple: true, answer: { correct: full } };
  }
  const weights = Object.fromEntries(ids.map((c, i) => [c, b.answers[i].fraction]).filter(([, f]) => f !== 0));
  if (b.single) {
    const worst = Math.min(...b.answers.map((a) => a.fraction));
    if (worst < 0) return skip('negative_single', { pct: pct(worst) }, `a wrong choice takes marks away (${pct(worst)}%); Wayfinder never scores below zero`);
    if (!full.length) return skip('no_full_marks', {}, 'no choice earns full marks');
    const plain = full.length === 1 && b.answers.every((a) => a.fraction === 0 || a.fraction >= FULL);
    return { ...base, answer: plain ? { correct: full } : { correct: full, weights } };
  }
  const positive = ids.filter((_, i) => b.answers[i].fraction > 0);
  const best = b.answers.reduce((s, a) => s + Math.max(0, a.fraction), 0);
  if (best < FULL) return skip('no_full_marks', {}, `the right choices add up to ${pct(best)}%, so no response earns full marks`);
  return { ...base, multiple: true, answer: { correct: positive, weights } };
}

/** An answer that gives no marks but comes before a full-marks one would catch its responses first. */
function answerBeforeFull<T extends { fraction: number }>(answers: T[]): boolean {
  const firstFull = answers.findIndex((a) => a.fraction >= FULL);
  return answers.slice(0, firstFull).some((a) => a.fraction <= 0);
}

function mapShort(q: SourceQuestion, b: Extract<QuestionBody, { kind: 'short' }>): Mapped | SkipReason {
  const partial = b.answers.find((a) => a.fraction > 1e-6 && a.fraction < FULL);
  if (partial) return skip('partial_answers', { pct: pct(partial.fraction) }, `an answer earns part of the marks (${pct(partial.fraction)}%); Wayfinder's short-answer items score all or nothing`);
  const full = b.answers.filter((a) => a.fraction >= FULL && a.text);
  if (!full.length) return skip('no_full_marks', {}, 'no answer earns full marks');
  if (b.match === 'wildcard' && answerBeforeFull(b.answers)) return skip('answer_order', {}, 'an answer worth no marks comes before the right one, so the source never reaches it');
  const other = b.answers.find((a: Answer) => a.fraction <= 0 && a.text === '*');
  dropFeedback(q, b.answers.filter((a) => a.fraction <= 0 && a.text !== '*' && a.feedback));
  return {
    type: 'short_text',
    body: q.text,
    answer: { accepted: full.map((a) => a.text), match: b.match, caseSensitive: b.caseSensitive },
    feedback: feedbackOf(q, full[0].feedback, other?.feedback),
  };
}

function dropFeedback(q: SourceQuestion, answers: { feedback?: string }[]): void {
  if (answers.length) q.warnings.push(`the feedback of ${answers.length} wrong answer${answers.length > 1 ? 's' : ''} with no marks is not kept: Wayfinder shows one feedback for every wrong answer`);
}

function mapNumerical(q: SourceQuestion, b: Extract<QuestionBody, { kind: 'numerical' }>): Mapped | SkipReason {
  if (b.answers.some((a) => a.value !== undefined && !Number.isFinite(a.value))) return skip('not_a_number', {}, 'an answer is not a number');
  const partial = b.answers.find((a) => a.fraction > 1e-6 && a.fraction < FULL);
  if (partial) return skip('partial_answers', { pct: pct(partial.fraction) }, `an answer earns part of the marks (${pct(partial.fraction)}%); Wayfinder's numeric items score all or nothing`);
  const full = b.answers.filter((a): a is NumericAnswer & { value: number } => a.fraction >= FULL && a.value !== undefined);
  if (!full.length) return skip('no_full_marks', {}, 'no answer earns full marks');
  if (full.some((a) => a.value !== full[0].value || a.tolerance !== full[0].tolerance)) return skip('several_values', { n: full.length }, 'several different numbers earn full marks; a Wayfinder numeric item has one');
  if (b.unitsLeft) return skip('units_left', {}, 'the unit goes before the number (as in "$ 5"); Wayfinder reads the unit after it');
  const key = full[0];
  const overlaps = (a: NumericAnswer) => a.value === undefined || Math.abs(a.value - key.value) <= a.tolerance + key.tolerance;
  if (b.answers.slice(0, b.answers.indexOf(key)).some(overlaps)) return skip('answer_order', {}, 'an answer worth no marks comes before the right one and catches some of its responses');
  const other = b.answers.find((a) => a.fraction <= 0 && a.value === undefined);
  dropFeedback(q, b.answers.filter((a) => a.fraction <= 0 && a.value !== undefined && a.feedback));
  const baseUnit = b.units.find((u) => u.multiplier === 1) ?? b.units[0];
  const others = b.units.filter((u) => u !== baseUnit && u.unit);
  return {
    type: 'numeric',
    body: q.text,
    answer: {
      value: key.value,
      tolerance: key.tolerance,
      ...(baseUnit?.unit ? { unit: baseUnit.unit } : {}),
      unitAliases: [],
      ...(others.length ? { unitMultipliers: Object.fromEntries(others.map((u) => [u.unit, u.multiplier / (baseUnit?.multiplier ?? 1)])) } : {}),
      unitPenalty: b.unitPenalty,
    },
    feedback: feedbackOf(q, key.feedback, other?.feedback),
  };
}
