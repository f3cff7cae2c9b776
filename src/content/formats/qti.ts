import AdmZip from 'adm-zip';
import { BANK_LIMITS, type Answer, type Bank, type NumericAnswer, type QuestionBody, type SourceQuestion } from './bank.js';
import { plainText, richBlock, richInline } from './richtext.js';
import { decodeText, refused } from './text.js';
import { attr, list, parseXml, textOf, type Node } from './xml.js';

/**
 * QTI 1.2 as Canvas exports a quiz or a question bank: a zip with `imsmanifest.xml` naming the
 * QTI files (resources of type `imsqti_xmlv1p2`), or one bare `<questestinterop>` file. Canvas
 * says each item's type in its metadata (`question_type`); the answer key is the condition of the
 * `resprocessing` that sets SCORE to 100.
 */
const ARRAYS = ['assessment', 'objectbank', 'section', 'item', 'qtimetadatafield', 'response_label', 'respcondition', 'itemfeedback', 'varequal', 'resource', 'file', 'material', 'mattext', 'response_lid', 'response_str'] as const;

export const isZip = (bytes: Uint8Array) => bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;

export function readQti(bytes: Uint8Array): Bank {
  if (!isZip(bytes)) return readQtiXml(decodeText(bytes), 'file');
  let zip: AdmZip;
  try {
    zip = new AdmZip(Buffer.from(bytes));
  } catch (err) {
    throw refused('file', `not a readable zip file: ${(err as Error).message}`);
  }
  const entries = zip.getEntries();
  if (entries.length > BANK_LIMITS.zipEntries) throw refused('file', `the zip has ${entries.length} entries; at most ${BANK_LIMITS.zipEntries} are accepted`);
  const unzipped = entries.reduce((n, e) => n + e.header.size, 0);
  if (unzipped > BANK_LIMITS.unzippedBytes) throw refused('file', `the zip unpacks to ${Math.round(unzipped / 1e6)} MB; at most ${BANK_LIMITS.unzippedBytes / 1e6} MB are accepted`);
  const byName = new Map(entries.map((e) => [e.entryName, e]));
  const read = (name: string) => {
    const entry = byName.get(name);
    if (!entry) throw refused(`zip entry ${name}`, 'the manifest names this file but the zip does not contain it');
    return decodeText(entry.getData(), `zip entry ${name}`);
  };
  if (!byName.has('imsmanifest.xml')) throw refused('file', 'this zip is not a QTI package: it has no imsmanifest.xml (export the quiz or bank from Canvas as QTI)');
  const manifest = parseXml(read('imsmanifest.xml'), 'zip entry imsmanifest.xml', ARRAYS);
  const resources = list(((manifest.manifest as Node | undefined)?.resources as Node | undefined)?.resource);
  const files = resources.filter((r) => /^imsqti_xmlv1p2/.test(attr(r, 'type') ?? '')).flatMap((r) => list(r.file).map((f) => attr(f, 'href') ?? attr(r, 'href') ?? ''));
  if (!files.length) throw refused('zip entry imsmanifest.xml', 'the manifest names no QTI 1.2 file (resource type imsqti_xmlv1p2)');
  const banks = files.map((f) => readQtiXml(read(decodeURIComponent(f)), `zip entry ${f}`));
  return { format: 'qti', title: banks.find((b) => b.title)?.title, questions: banks.flatMap((b) => b.questions) };
}

export function readQtiXml(xml: string, place: string): Bank {
  const doc = parseXml(xml, place, ARRAYS);
  if (!('questestinterop' in doc)) throw refused(place, 'not a QTI 1.2 file: it has no <questestinterop> element');
  const root = (doc.questestinterop && typeof doc.questestinterop === 'object' ? doc.questestinterop : {}) as Node;
  const questions: SourceQuestion[] = [];
  let title: string | undefined;
  for (const container of [...list(root.assessment), ...list(root.objectbank)]) {
    const name = attr(container, 'title') ?? metadata(container.qtimetadata as Node | undefined).bank_title ?? '';
    title ??= name || undefined;
    for (const item of itemsOf(container)) questions.push(readItem(item, name ? [name] : [], itemPlace(place, item, questions.length)));
  }
  for (const item of list(root.item)) questions.push(readItem(item, [], itemPlace(place, item, questions.length)));
  return { format: 'qti', title, questions };
}

const itemPlace = (place: string, item: Node, before: number) => `${place}, item ${before + 1} "${attr(item, 'title') || attr(item, 'ident') || ''}"`;

/** Items of an assessment or bank, in order, through nested sections (Canvas question groups). */
function itemsOf(node: Node): Node[] {
  return [...list(node.item), ...list(node.section).flatMap(itemsOf)];
}

function metadata(node: Node | undefined): Record<string, string> {
  return Object.fromEntries(list(node?.qtimetadatafield).map((f) => [textOf(f.fieldlabel).trim(), textOf(f.fieldentry).trim()]));
}

/** The text of a <material>: HTML when Canvas says text/html, else plain text. */
function material(node: unknown): { text: string; html: boolean } {
  const texts = list((list(node)[0] as Node | undefined)?.mattext);
  const t = texts[0];
  return { text: textOf(t), html: (attr(t, 'texttype') ?? 'text/plain') === 'text/html' };
}

function readItem(item: Node, category: string[], place: string): SourceQuestion {
  const warnings: string[] = [];
  const o = (html: boolean) => ({ format: html ? ('html' as const) : ('plain_text' as const), warn: (m: string) => warnings.push(m) });
  const meta = metadata((item.itemmetadata as Node | undefined)?.qtimetadata as Node | undefined);
  const feedbacks = new Map(list(item.itemfeedback).map((f) => [attr(f, 'ident') ?? '', material(((f.flow_mat as Node | undefined) ?? f).material)]));
  const fb = (id: string) => {
    const m = feedbacks.get(id);
    return m ? richBlock(m.text, o(m.html)) || undefined : undefined;
  };
  const presentation = (item.presentation as Node | undefined) ?? {};
  const stem = material(presentation.material ?? (presentation.flow as Node | undefined)?.material);
  const ident = attr(item, 'ident') ?? '';
  const name = plainText(attr(item, 'title') ?? '') || plainText(stem.text).slice(0, 60) || ident;
  const ctx = { o, fb, meta, presentation, conditions: list((item.resprocessing as Node | undefined)?.respcondition) };
  return {
    place,
    key: `ident:${meta.assessment_question_identifierref || ident}`,
    name,
    category: category.length ? category : meta.bank_title ? [meta.bank_title] : [],
    tags: [],
    text: richBlock(stem.text, o(stem.html)),
    generalFeedback: fb('general_fb'),
    hints: [],
    feedback: { correct: fb('correct_fb'), incorrect: fb('general_incorrect_fb') },
    body: bodyOf(ctx),
    warnings,
  };
}

interface ItemContext {
  o: (html: boolean) => { format: 'html' | 'plain_text'; warn: (m: string) => void };
  fb: (id: string) => string | undefined;
  meta: Record<string, string>;
  presentation: Node;
  conditions: Node[];
}

/** The conditions that give full marks (SCORE set to the maximum, 100 in Canvas). */
function fullMarks(conditions: Node[]): Node[] {
  return conditions.filter((c) => list(c.setvar).some((s) => (attr(s, 'varname') ?? 'SCORE') === 'SCORE' && Number(textOf(s)) >= 100));
}

function bodyOf(c: ItemContext): QuestionBody {
  const type = c.meta.question_type || inferredType(c.presentation);
  switch (type) {
    case 'multiple_choice_question':
    case 'true_false_question':
    case 'multiple_answers_question': {
      const lid = list(c.presentation.response_lid)[0] ?? {};
      const labels = list((lid.render_choice as Node | undefined)?.response_label);
      const correct = new Set(fullMarks(c.conditions).flatMap((cond) => positiveValues(cond.conditionvar as Node)));
      const single = type !== 'multiple_answers_question';
      const answers = labels.map((l): Answer => {
        const m = material(l.material);
        const id = attr(l, 'ident') ?? '';
        return { text: richInline(m.text, c.o(m.html)), fraction: correct.has(id) ? 1 : 0, feedback: c.fb(`${id}_fb`) };
      });
      return { kind: 'choice', single, scoring: 'cancel', answers };
    }
    case 'short_answer_question': {
      const values = fullMarks(c.conditions).flatMap((cond) => list((cond.conditionvar as Node).varequal));
      return {
        kind: 'short',
        match: 'exact',
        caseSensitive: values.some((v) => attr(v, 'case') === 'Yes'),
        answers: values.map((v): Answer => ({ text: textOf(v).trim(), fraction: 1 })),
      };
    }
    case 'numerical_question':
      return { kind: 'numerical', answers: fullMarks(c.conditions).map((cond) => numericAnswer(cond.conditionvar as Node)), units: [], unitPenalty: 0, unitsLeft: false };
    case 'essay_question':
    case 'text_only_question':
      return { kind: 'reading' };
    default:
      return { kind: 'unsupported', sourceType: type.replace(/_question$/, '').replace(/_/g, ' ') };
  }
}

function inferredType(p: Node): string {
  const lid = list(p.response_lid)[0];
  if (lid) return attr(lid, 'rcardinality') === 'Multiple' ? 'multiple_answers_question' : 'multiple_choice_question';
  return p.response_str ? 'short_answer_question' : 'unknown';
}

/** Choice ids the condition requires picked: varequal at its top or under <and>, not under <not>. */
function positiveValues(cond: Node | undefined): string[] {
  if (!cond) return [];
  return [...list(cond.varequal).map((v) => textOf(v).trim()), ...list(cond.and).flatMap((a) => positiveValues(a))];
}

/** Canvas writes an exact answer with margin as <or><varequal/><and><vargte/><varlte/></and></or>, a range as vargte/varlte. */
function numericAnswer(cond: Node): NumericAnswer {
  const or = (cond.or as Node | undefined) ?? cond;
  const and = (or.and as Node | undefined) ?? or;
  const low = Number(textOf(and.vargte ?? and.vargt) || NaN);
  const high = Number(textOf(and.varlte ?? and.varlt) || NaN);
  const exact = Number(textOf(list(or.varequal)[0]) || NaN);
  // Rounded to 12 digits so 31.45 − 31.4 is 0.05, not 0.0499999….
  const round = (x: number) => Number(x.toPrecision(12));
  if (Number.isNaN(low) || Number.isNaN(high)) return { value: exact, tolerance: 0, fraction: 1 };
  const value = Number.isNaN(exact) ? (low + high) / 2 : exact;
  return { value: round(value), tolerance: round(Math.max(high - value, value - low)), fraction: 1 };
}
