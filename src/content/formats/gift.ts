import { parse, type GIFTQuestion, type NumericalChoice, type NumericalFormat, type TextChoice, type TextFormat as GiftText } from 'gift-pegjs';
import type { Answer, Bank, NumericAnswer, QuestionBody, SourceQuestion } from './bank.js';
import { categoryPath } from './moodle_xml.js';
import { plainText, richBlock, richInline, type TextFormat } from './richtext.js';
import { refused } from './text.js';

/**
 * GIFT, as Moodle's exporter writes it (question/format/gift/format.php), parsed by gift-pegjs.
 * Its answers follow Moodle's GIFT importer: "=" is full marks (and makes a choice question
 * single-answer), "%n%" is n percent, "~" alone is none; a true/false question's first feedback
 * is for the wrong pick and the second for the right one (gift-pegjs names them by position).
 */
const FORMATS: Record<string, TextFormat> = { moodle: 'moodle_auto_format', html: 'html', markdown: 'markdown', plain: 'plain_text' };

export function readGift(text: string): Bank {
  let parsed: GIFTQuestion[];
  try {
    parsed = parse(text.replace(/\r\n?/g, '\n'));
  } catch (err) {
    const e = err as { location?: { start: { line: number; column: number } }; message: string };
    const at = e.location ? `line ${e.location.start.line}, column ${e.location.start.column}` : 'file';
    throw refused(at, `not valid GIFT: ${e.message}`);
  }
  let category: string[] = [];
  const questions: SourceQuestion[] = [];
  parsed.forEach((q, i) => {
    if (q.type === 'Category') category = categoryPath(q.title);
    else questions.push(readQuestion(q, i + 1, category));
  });
  return { format: 'gift', questions };
}

function readQuestion(q: Exclude<GIFTQuestion, { type: 'Category' }>, index: number, category: string[]): SourceQuestion {
  const warnings: string[] = [];
  const o = (t: GiftText | null | undefined) => ({ format: FORMATS[t?.format ?? 'moodle'] ?? 'moodle_auto_format', warn: (m: string) => warnings.push(m) });
  const rich = (t: GiftText | null | undefined) => (t ? richBlock(t.text, o(t)) || undefined : undefined);
  const name = plainText(q.title ?? '') || plainText(q.stem.text).slice(0, 60) || `question ${index}`;
  const general = 'globalFeedback' in q ? rich(q.globalFeedback) : undefined;
  return {
    place: `question ${index} "${name}"`,
    key: q.id ? `idnumber:${q.id}` : `name:${category.join('/')}/${q.title ? name : plainText(q.stem.text)}`,
    name,
    category,
    tags: (q.tags ?? []).map((t) => t.trim()).filter(Boolean),
    text: richBlock(q.stem.text, o(q.stem)),
    generalFeedback: general,
    hints: [],
    feedback: {},
    body: bodyOf(q, o, rich),
    warnings,
  };
}

const weightOf = (c: { isCorrect: boolean; weight: number | null }) => (c.weight === null ? (c.isCorrect ? 1 : 0) : c.weight / 100);

function bodyOf(
  q: Exclude<GIFTQuestion, { type: 'Category' }>,
  o: (t: GiftText | null | undefined) => { format: TextFormat; warn: (m: string) => void },
  rich: (t: GiftText | null | undefined) => string | undefined,
): QuestionBody {
  switch (q.type) {
    case 'MC':
      return {
        kind: 'choice',
        scoring: 'sum',
        single: q.choices.some((c) => c.isCorrect && c.weight === null),
        answers: q.choices.map((c: TextChoice): Answer => ({ text: richInline(c.text.text, o(c.text)), fraction: weightOf(c), feedback: rich(c.feedback) })),
      };
    case 'TF':
      // {T#a#b}: a is shown for the wrong pick, b for the right one.
      return {
        kind: 'truefalse',
        correct: q.isTrue,
        feedbackTrue: rich(q.isTrue ? q.falseFeedback : q.trueFeedback),
        feedbackFalse: rich(q.isTrue ? q.trueFeedback : q.falseFeedback),
      };
    case 'Short':
      return {
        kind: 'short',
        caseSensitive: false,
        match: 'wildcard',
        answers: q.choices.map((c: TextChoice): Answer => ({ text: c.text.text.trim(), fraction: weightOf(c), feedback: rich(c.feedback) })),
      };
    case 'Numerical': {
      const choices: NumericalChoice[] = Array.isArray(q.choices) ? q.choices : [{ isCorrect: true, weight: null, text: q.choices, feedback: null }];
      return {
        kind: 'numerical',
        answers: choices.map((c): NumericAnswer => ({ ...numberOf(c.text), fraction: weightOf(c), feedback: rich(c.feedback) })),
        units: [],
        unitPenalty: 0,
        unitsLeft: false,
      };
    }
    case 'Essay':
    case 'Description':
      return { kind: 'reading' };
    case 'Matching':
      return { kind: 'unsupported', sourceType: 'matching' };
  }
}

function numberOf(t: NumericalFormat | GiftText): { value?: number; tolerance: number } {
  if (!('type' in t)) return { tolerance: 0 }; // "~#…": any other answer
  if (t.type === 'high-low') return { value: ((t.numberHigh ?? 0) + (t.numberLow ?? 0)) / 2, tolerance: Math.abs((t.numberHigh ?? 0) - (t.numberLow ?? 0)) / 2 };
  return { value: t.number, tolerance: t.range ?? 0 };
}
