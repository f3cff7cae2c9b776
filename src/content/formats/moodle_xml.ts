import type { Answer, Bank, NumericAnswer, QuestionBody, SourceQuestion } from './bank.js';
import { plainText, richBlock, richInline, type TextFormat } from './richtext.js';
import { attr, list, parseXml, textOf, type Node } from './xml.js';
import { refused } from './text.js';

/**
 * Moodle XML, as Moodle's own exporter writes it (question/format/xml/format.php): a `<quiz>` of
 * `<question type="…">` elements, where `type="category"` switches the category of those after it.
 */
const ARRAYS = ['question', 'answer', 'hint', 'tag', 'file', 'unit', 'subquestion'] as const;

export function readMoodleXml(xml: string): Bank {
  const doc = parseXml(xml, 'file', ARRAYS);
  if (!('quiz' in doc)) throw refused('file', 'not a Moodle XML export: the file has no <quiz> element');
  const root = (doc.quiz && typeof doc.quiz === 'object' ? doc.quiz : {}) as Node;
  let category: string[] = [];
  const questions: SourceQuestion[] = [];
  list(root.question).forEach((q, index) => {
    const type = attr(q, 'type') ?? '';
    if (type === 'category') {
      category = categoryPath(textOf((q.category as Node)?.text));
      return;
    }
    questions.push(readQuestion(q, type, index + 1, category));
  });
  return { format: 'moodle-xml', questions };
}

/** "$course$/top/Fractions/Adding" → ["Fractions", "Adding"]; "//" is a "/" inside a name. */
export function categoryPath(path: string): string[] {
  return path
    .split(/(?<!\/)\/(?!\/)/)
    .map((s) => s.replace(/\/\//g, '/').trim())
    .filter((s, i) => s && !(i === 0 && /^\$\w+\$$/.test(s)) && !(s === 'top' && i <= 1));
}

const formatOf = (node: unknown): TextFormat => (attr(node, 'format') as TextFormat | undefined) ?? 'html';

function readQuestion(q: Node, type: string, index: number, category: string[]): SourceQuestion {
  const name = plainText(textOf((q.name as Node)?.text)) || `question ${index}`;
  const place = `question ${index} "${name}"`;
  const warnings: string[] = [];
  const o = (node: unknown) => ({ format: formatOf(node), warn: (m: string) => warnings.push(m) });
  const rich = (node: unknown) => richBlock(textOf((node as Node | undefined)?.text), o(node)) || undefined;
  const idnumber = textOf(q.idnumber).trim();
  return {
    place,
    key: idnumber ? `idnumber:${idnumber}` : `name:${category.join('/')}/${name}`,
    name,
    category,
    tags: list((q.tags as Node | undefined)?.tag).map((t) => plainText(textOf(t.text))).filter(Boolean),
    text: richBlock(textOf((q.questiontext as Node)?.text), o(q.questiontext)),
    generalFeedback: rich(q.generalfeedback),
    hints: list(q.hint).map((h) => rich(h)).filter((h): h is string => !!h),
    feedback: { correct: rich(q.correctfeedback), partial: rich(q.partiallycorrectfeedback), incorrect: rich(q.incorrectfeedback) },
    body: bodyOf(q, type, o, rich),
    warnings,
  };
}

function bodyOf(q: Node, type: string, o: (n: unknown) => { format: TextFormat; warn: (m: string) => void }, rich: (n: unknown) => string | undefined): QuestionBody {
  const answers = list(q.answer);
  const fraction = (a: Node) => Number(attr(a, 'fraction') ?? 0) / 100;
  switch (type) {
    case 'multichoice':
      return {
        kind: 'choice',
        scoring: 'sum',
        single: ['true', '1'].includes(textOf(q.single).trim()),
        answers: answers.map((a): Answer => ({ text: richInline(textOf(a.text), o(a)), fraction: fraction(a), feedback: rich(a.feedback) })),
      };
    case 'truefalse': {
      const byText = (t: string) => answers.find((a) => textOf(a.text).trim().toLowerCase() === t);
      const yes = byText('true');
      const no = byText('false');
      return { kind: 'truefalse', correct: fraction(yes ?? {}) >= fraction(no ?? {}), feedbackTrue: rich(yes?.feedback), feedbackFalse: rich(no?.feedback) };
    }
    case 'shortanswer':
      return {
        kind: 'short',
        caseSensitive: ['1', 'true'].includes(textOf(q.usecase).trim()),
        match: 'wildcard',
        answers: answers.map((a): Answer => ({ text: textOf(a.text).trim(), fraction: fraction(a), feedback: rich(a.feedback) })),
      };
    case 'numerical': {
      const gradingType = Number(textOf(q.unitgradingtype) || 0);
      return {
        kind: 'numerical',
        answers: answers.map((a): NumericAnswer => {
          const t = textOf(a.text).trim();
          return { value: t === '*' || t === '' ? undefined : Number(t), tolerance: Number(textOf(a.tolerance) || 0), fraction: fraction(a), feedback: rich(a.feedback) };
        }),
        units: list((q.units as Node | undefined)?.unit).map((u) => ({ unit: textOf(u.unit_name).trim(), multiplier: Number(textOf(u.multiplier)) })),
        unitPenalty: gradingType === 1 || gradingType === 2 ? Number(textOf(q.unitpenalty) || 0) : 0,
        unitsLeft: textOf(q.unitsleft).trim() === '1',
      };
    }
    case 'essay':
    case 'description':
      return { kind: 'reading' };
    default:
      return { kind: 'unsupported', sourceType: type || 'no type' };
  }
}
