import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { itemSchema, type Item } from '../../../src/content/format.js';
import { detectFormat, readBank } from '../../../src/content/formats/index.js';
import { planImport } from '../../../src/content/formats/mapping.js';
import { ImportRefused } from '../../../src/content/import.js';
import { scoreResponse } from '../../../src/content/scoring.js';
import { bankFile, canvasZip, zipFolder, BANKS } from '../../support/banks.js';

const plan = (bytes: Uint8Array) => planImport(readBank(bytes));
const byTitle = (items: Item[], title: string) => {
  const it = items.find((i) => i.title === title);
  assert.ok(it, `no item "${title}" in ${items.map((i) => i.title).join(', ')}`);
  return it;
};
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ImportRefused, String(err));
    return err.problems.map((p) => `${p.place}: ${p.message}`).join('\n');
  }
  assert.fail('the file was accepted');
};
const pick = (it: Item, choices: string[]) => {
  const o = scoreResponse(it, { choices });
  return [o.success, o.score];
};
const typed = (it: Item, text: string) => {
  const o = scoreResponse(it, { text });
  return [o.success, o.score];
};

describe('Moodle XML (as Moodle 5.1 exports it)', () => {
  const p = plan(bankFile('moodle.xml'));

  test('each supported type is mapped, the rest skipped with a reason naming the question', () => {
    assert.deepEqual(p.items.map((i) => [i.title, i.type]), [
      ['Half of a pizza', 'multiple_choice'],
      ['等于二分之一的分数', 'multiple_choice'],
      ['Bigger denominator', 'multiple_choice'],
      ['Name the top number', 'short_text'],
      ['Length of the desk', 'numeric'],
      ['Explain halves', 'reading'],
      ['About units', 'reading'],
    ]);
    assert.deepEqual(p.skipped.map((s) => [s.place, s.reason.code]), [
      ['question 7 "Chemical symbol"', 'partial_answers'],
      ['question 10 "圆周率"', 'partial_answers'],
      ['question 13 "Match the fractions"', 'unsupported_type'],
      ['question 14 "Cloze fractions"', 'unsupported_type'],
      ['question 15 "Area"', 'unsupported_type'],
    ]);
    assert.match(p.skipped[2].reason.message, /"match" question/);
  });

  test('skills from skill: tags (only those, since the bank has some), categories otherwise; a pathway per top category', () => {
    assert.deepEqual(p.skills.map((s) => s.name), ['halves', '等值分数', 'comparing', 'vocabulary', 'length', 'Measures']);
    assert.ok(!p.skills.some((s) => s.name === 'year5'), 'a tag without skill: is not a skill when others have it');
    assert.deepEqual(p.pathways.map((x) => [x.title, x.items.length]), [['分数 Fractions', 4], ['Measures', 3]]);
    assert.equal(byTitle(p.items, '等于二分之一的分数').language, 'zh-Hans');
  });

  test('rich text is sanitised, images become alt text with a warning, feedback and hints are kept', () => {
    const pizza = byTitle(p.items, 'Half of a pizza');
    assert.doesNotMatch(pizza.body, /script|style=|@@PLUGINFILE@@/);
    assert.match(pizza.body, /\[a pizza, half shaded\]/);
    assert.equal(pizza.choices![2].text, '2\\*1/4', 'Markdown characters in a choice are escaped');
    assert.equal(pizza.choices![0].feedback, '<p>Yes: two equal parts, one shaded.</p>');
    assert.match(pizza.feedback.correct!, /Your answer is correct\.[\s\S]*1\/2/);
    assert.deepEqual(pizza.hints, ['<p>How many equal parts are there?</p>']);
    const warnings = p.planned.find((x) => x.title === 'Half of a pizza')!.warnings.join('\n');
    assert.match(warnings, /image "a pizza, half shaded" was replaced by its alt text/);
    assert.match(warnings, /unsafe HTML was removed: <script>/);
    assert.equal(byTitle(p.items, 'About units').body, 'Units tell **how much** of what: *5 m* is not *5 cm*.', 'Moodle Markdown stays Markdown (the import renders it)');
  });

  test('scoring follows Moodle: multi-answer fractions summed within 0–1, penalties for wrong picks', () => {
    const multi = byTitle(p.items, '等于二分之一的分数');
    assert.deepEqual(pick(multi, ['a', 'b']), [true, 1]);
    assert.deepEqual(pick(multi, ['a']), [false, 0.5]);
    assert.deepEqual(pick(multi, ['a', 'c']), [false, 0], '50% − 100% is 0, not negative');
    assert.deepEqual(pick(multi, ['a', 'b', 'd']), [false, 0]);
    const tf = byTitle(p.items, 'Bigger denominator');
    assert.deepEqual(pick(tf, ['false']), [true, 1]);
    assert.equal(tf.choices![0].feedback, '<p>Eighths are smaller pieces than quarters.</p>');
  });

  test('numerical: tolerance, unit multipliers and the unit penalty as Moodle grades them', () => {
    const desk = byTitle(p.items, 'Length of the desk');
    assert.deepEqual(typed(desk, '1.2 m'), [true, 1]);
    assert.deepEqual(typed(desk, '1.24m'), [true, 1], 'within the 0.05 tolerance');
    assert.deepEqual(typed(desk, '120 cm'), [true, 1], 'cm has multiplier 100');
    assert.deepEqual(typed(desk, '1.2'), [false, 0.5], 'a missing unit costs the 50% unit penalty');
    assert.deepEqual(typed(desk, '1.2 kg'), [false, 0.5], 'an unknown unit too');
    assert.deepEqual(typed(desk, '1.3 m'), [false, 0]);
  });

  test('short answer: Moodle wildcards and case rules', () => {
    const top = byTitle(p.items, 'Name the top number');
    assert.deepEqual(typed(top, ' Numerator '), [true, 1], 'usecase 0: case does not count');
    assert.deepEqual(typed(top, '分子'), [true, 1]);
    assert.deepEqual(typed(top, 'numerator.'), [false, 0], 'Moodle compares exactly, punctuation included');
    assert.equal(top.feedback.incorrect, '<p>It starts with "n".</p>', 'the "*" answer gives the wrong-answer feedback');
  });
});

describe('GIFT (as Moodle exports it), parsed with gift-pegjs', () => {
  const p = plan(bankFile('moodle.gift'));
  const xml = plan(bankFile('moodle.xml'));

  test('the same Moodle bank as GIFT and as XML maps to the same item ids', () => {
    for (const title of ['Half of a pizza', '等于二分之一的分数', 'Bigger denominator', 'Name the top number', 'Explain halves']) {
      assert.equal(byTitle(p.items, title).id, byTitle(xml.items, title).id, title);
    }
    assert.deepEqual(p.skipped.map((s) => s.reason.code), ['partial_answers', 'unsupported_type']);
  });

  test('answers, weights, numerical tolerance, and a true/false question\'s feedback the right way round', () => {
    assert.deepEqual(pick(byTitle(p.items, '等于二分之一的分数'), ['a', 'b']), [true, 1]);
    assert.deepEqual(pick(byTitle(p.items, '等于二分之一的分数'), ['b', 'c']), [false, 0]);
    const tf = byTitle(p.items, 'Bigger denominator');
    assert.deepEqual(tf.answer, { correct: ['false'] });
    // {FALSE#wrong#right}: the first feedback is for the wrong pick (true).
    assert.equal(tf.choices![0].feedback, '<p>Eighths are smaller pieces than quarters.</p>');
    assert.equal(tf.choices![1].feedback, '<p>Right: more pieces means smaller pieces.</p>');
    const speed = byTitle(p.items, 'Speed of sound');
    assert.deepEqual(typed(speed, '350'), [true, 1]);
    assert.deepEqual(typed(speed, '354'), [false, 0]);
    assert.deepEqual(typed(speed, '340 m/s'), [true, 1], 'no units in GIFT: Moodle ignores what follows the number');
  });

  test('a malformed question among good ones refuses the file, naming the line', () => {
    const text = bankFile('moodle.gift').toString('utf8').replace('=%100%343:10#', '=%100%343:10:5#');
    const line = text.split('\n').findIndex((l) => l.includes('343:10:5')) + 1;
    assert.match(refusal(() => readBank(Buffer.from(text), 'gift')), new RegExp(`^line ${line}, column \\d+: not valid GIFT`));
  });

  test('UTF-8 with a BOM and UTF-16 are read; a GB18030 file is refused naming its encoding', () => {
    const text = '::圆周率::π 约等于 3.14 吗？{T}\n';
    assert.equal(plan(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])).items[0].title, '圆周率');
    assert.equal(plan(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])).items[0].title, '圆周率');
    // GB18030 bytes of the same text (encoded by hand: Node has no GB encoder).
    const gb = Buffer.from('3a3ad4b2d6dcc2ca3a3aa6d020d4bcb5c8d3da20332e313420c2f0a3bf7b547d0a', 'hex');
    assert.equal(new TextDecoder('gb18030').decode(gb), text, 'the fixture bytes are GB18030');
    assert.match(refusal(() => readBank(gb)), /encoded as GB18030\/GBK .*save it as UTF-8/);
  });

  test('limits: more than 5,000 questions are refused with the count', () => {
    const many = Array.from({ length: 5001 }, (_, i) => `::q${i}::${i} + 1?{#${i + 1}}\n`).join('\n');
    assert.match(refusal(() => readBank(Buffer.from(many))), /5001 questions; at most 5000/);
  });
});

describe('QTI 1.2 (a Canvas quiz export)', () => {
  const p = plan(canvasZip());

  test('Canvas types map, unsupported ones are skipped by name, the quiz is the pathway and skill', () => {
    assert.deepEqual(p.items.map((i) => i.type), ['multiple_choice', 'multiple_choice', 'multiple_choice', 'short_text', 'numeric', 'numeric', 'reading', 'reading']);
    assert.deepEqual(p.skipped.map((s) => s.reason.params.type), ['matching', 'fill in multiple blanks', 'calculated']);
    assert.match(p.skipped[0].place, /\.xml, item 9 "Match the terms"$/);
    assert.deepEqual(p.pathways.map((x) => x.title), ['Circles 圆']);
    assert.deepEqual(p.skills.map((s) => s.name), ['Circles 圆']);
  });

  test('Canvas scoring: multiple answers give partial credit, wrong picks cancel right ones; numbers within the margin', () => {
    const parts = byTitle(p.items, 'Parts of a circle');
    assert.deepEqual(pick(parts, ['a', 'b', 'd']), [true, 1]);
    assert.deepEqual(pick(parts, ['a', 'b']), [false, 2 / 3]);
    assert.deepEqual(pick(parts, ['a', 'b', 'c']), [false, 1 / 3]);
    const c = byTitle(p.items, 'Circumference');
    assert.deepEqual(typed(c, '31.45'), [true, 1]);
    assert.deepEqual(typed(c, '31.5'), [false, 0]);
    assert.deepEqual(typed(byTitle(p.items, '估算面积'), '3.2'), [true, 1]);
    assert.deepEqual(typed(byTitle(p.items, 'Name the line'), 'Radius'), [true, 1]);
    assert.equal(byTitle(p.items, 'Diameter').choices![1].feedback, '<p>That is the radius.</p>');
  });

  test('a bare assessment XML reads the same; a zip without a manifest and a truncated XML are refused with their place', () => {
    const xml = bankFile('canvas_qti/g4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f/g4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f.xml');
    assert.equal(detectFormat(xml), 'qti');
    assert.equal(plan(xml).items.length, 8);
    assert.match(refusal(() => readBank(zipFolder(BANKS + 'canvas_qti/non_cc_assessments'))), /^file: this zip is not a QTI package: it has no imsmanifest.xml/);
    assert.match(refusal(() => readBank(xml.subarray(0, 3000))), /^file, line \d+: not well-formed XML/);
    const broken = canvasZip({ 'g4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f/g4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f.xml': xml.subarray(0, 3000) });
    assert.match(refusal(() => readBank(broken)), /^zip entry g4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f\/g4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f\.xml, line \d+: not well-formed XML/);
  });

  test('XML that is neither Moodle nor QTI, and DOCTYPE tricks, are refused', () => {
    assert.match(refusal(() => readBank(Buffer.from('<?xml version="1.0"?><html></html>'))), /neither Moodle XML/);
    const lol = '<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaa">]><quiz>&a;</quiz>';
    assert.match(refusal(() => readBank(Buffer.from(lol))), /DOCTYPE and ENTITY declarations are not accepted/);
  });
});

describe('answer keys the importers need (scoring.ts)', () => {
  const short = (answer: Record<string, unknown>) => itemSchema.parse({ id: 's', title: 'S', type: 'short_text', answer });

  test('wildcard: "*" is any text, a backslash-star a star, case by caseSensitive; exact: only outer spaces ignored', () => {
    const wild = short({ accepted: ['the * axis', '2\\*3'], match: 'wildcard' });
    assert.deepEqual(typed(wild, 'The x axis'), [true, 1]);
    assert.deepEqual(typed(wild, '2*3'), [true, 1]);
    assert.deepEqual(typed(wild, '2x3'), [false, 0]);
    const cased = short({ accepted: ['Na'], match: 'exact', caseSensitive: true });
    assert.deepEqual(typed(cased, ' Na '), [true, 1]);
    assert.deepEqual(typed(cased, 'na'), [false, 0]);
    assert.deepEqual(typed(short({ accepted: ['a.b'], match: 'exact' }), 'axb'), [false, 0], 'regex characters are literal');
  });

  test('unitPenalty 0: what follows the number is not graded; without it, today\'s rule (a different unit is wrong)', () => {
    const num = (answer: Record<string, unknown>) => itemSchema.parse({ id: 'n', title: 'N', type: 'numeric', answer });
    assert.deepEqual(typed(num({ value: 5, unitPenalty: 0 }), '5 apples'), [true, 1]);
    assert.deepEqual(typed(num({ value: 5, unit: 'm' }), '5 cm'), [false, 0]);
  });
});
