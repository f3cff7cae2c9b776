import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { itemSchema, type Item } from '../../../src/content/format.js';
import { normaliseText, parseNumber } from '../../../src/content/normalise.js';
import { scoreResponse } from '../../../src/content/scoring.js';

const item = (o: Record<string, unknown>): Item => itemSchema.parse({ id: 'i1', title: 'T', ...o });

describe('multiple choice', () => {
  const single = item({ type: 'multiple_choice', choices: [{ id: 'a', text: '1/2' }, { id: 'b', text: '2/4' }, { id: 'c', text: '3' }], answer: { correct: ['a'] } });
  const many = item({ ...single, multiple: true, answer: { correct: ['a', 'b'] } });

  test('one correct: right, wrong, unknown ids, nothing picked', () => {
    assert.deepEqual(pick(single, ['a']), { success: true, score: 1, why: 'correct' });
    assert.deepEqual(pick(single, ['c']), { success: false, score: 0, why: 'incorrect' });
    assert.deepEqual(pick(single, ['zzz']), { success: false, score: 0, why: 'empty' });
    assert.deepEqual(pick(single, []), { success: false, score: 0, why: 'empty' });
  });

  test('one correct: only the first of several picks counts (radio buttons send one)', () => {
    assert.equal(scoreResponse(single, { choices: ['c', 'a'] }).success, false);
  });

  test('several correct: all of them, partial credit, wrong picks cancel right ones', () => {
    assert.deepEqual(pick(many, ['a', 'b']), { success: true, score: 1, why: 'correct' });
    assert.deepEqual(pick(many, ['b']), { success: false, score: 0.5, why: 'partial' });
    assert.deepEqual(pick(many, ['a', 'b', 'c']), { success: false, score: 0.5, why: 'partial' });
    assert.deepEqual(pick(many, ['a', 'c']), { success: false, score: 0, why: 'incorrect' });
    assert.equal(scoreResponse(many, { choices: ['b', 'a', 'a'] }).recorded, 'b,a');
  });
});

const pick = (it: Item, choices: string[]) => {
  const o = scoreResponse(it, { choices });
  return { success: o.success, score: o.score, why: o.why };
};
const typed = (it: Item, text: string) => {
  const o = scoreResponse(it, { text });
  return [o.success, o.why];
};

describe('numeric', () => {
  const exact = item({ type: 'numeric', answer: { value: 0.75 } });
  const cm = item({ type: 'numeric', answer: { value: 12, tolerance: 0.5, unit: 'cm', unitAliases: ['厘米'] } });

  test('decimals, fractions, mixed numbers, signs', () => {
    for (const s of ['0.75', '.75', '3/4', ' 0.750 ', '6/8', '0,75']) assert.deepEqual(typed(exact, s), [true, 'correct'], s);
    assert.deepEqual(typed(exact, '0.7'), [false, 'incorrect']);
    assert.deepEqual(typed(item({ type: 'numeric', answer: { value: 1.5 } }), '1 1/2'), [true, 'correct']);
    assert.deepEqual(typed(item({ type: 'numeric', answer: { value: -2 } }), '−2'), [true, 'correct']);
    assert.deepEqual(typed(item({ type: 'numeric', answer: { value: 1000 } }), '1,000'), [true, 'correct']);
    assert.deepEqual(typed(item({ type: 'numeric', answer: { value: 0.3 } }), '0.30000000000000004'), [true, 'correct']);
  });

  test('tolerance and units: missing unit accepted, other unit refused, aliases accepted', () => {
    assert.deepEqual(typed(cm, '12.4'), [true, 'correct']);
    assert.deepEqual(typed(cm, '12.6 cm'), [false, 'incorrect']);
    assert.deepEqual(typed(cm, '12cm'), [true, 'correct']);
    assert.deepEqual(typed(cm, '12 CM'), [true, 'correct']);
    assert.deepEqual(typed(cm, '12 m'), [false, 'unit']);
    assert.deepEqual(typed(cm, '12 厘米'), [true, 'correct']);
  });

  test('Chinese full-width input', () => {
    assert.deepEqual(typed(exact, '０．７５'), [true, 'correct']);
    assert.deepEqual(typed(exact, '３／４'), [true, 'correct']);
    assert.deepEqual(typed(cm, '１２　ｃｍ'), [true, 'correct']);
    assert.deepEqual(typed(item({ type: 'numeric', answer: { value: -5 } }), '－５'), [true, 'correct']);
  });

  test('not a number, and empty', () => {
    assert.deepEqual(typed(exact, 'three quarters'), [false, 'notANumber']);
    assert.deepEqual(typed(exact, '  '), [false, 'empty']);
    assert.deepEqual(typed(exact, '1/0'), [false, 'notANumber']);
  });
});

describe('short text', () => {
  const half = item({ type: 'short_text', answer: { accepted: ['one half', '一半', 'x = 3'] } });

  test('case, spacing and sentence punctuation do not matter', () => {
    for (const s of ['one half', 'One Half', '  one   half. ', '"one half"!', 'ONE HALF?']) assert.deepEqual(typed(half, s), [true, 'correct'], s);
    assert.deepEqual(typed(half, 'onehalf'), [false, 'incorrect']);
    assert.deepEqual(typed(half, 'one third'), [false, 'incorrect']);
    assert.deepEqual(typed(half, ''), [false, 'empty']);
  });

  test('Chinese input: full-width forms, CJK punctuation and spaces', () => {
    for (const s of ['一半', '一半。', '「一半」', ' 一 半 ', '一半！']) assert.deepEqual(typed(half, s), [true, 'correct'], s);
    for (const s of ['ｘ＝３', 'x=3', 'X = 3', 'ｘ　＝　３。']) assert.deepEqual(typed(half, s), [true, 'correct'], s);
    assert.deepEqual(typed(half, 'ｘ＝４'), [false, 'incorrect']);
  });

  test('a decimal point is kept, a full stop is not', () => {
    assert.equal(normaliseText('0.5.'), '0.5');
    assert.notEqual(normaliseText('0.5'), normaliseText('05'));
  });
});

describe('reading and video', () => {
  test('are completed, not graded', () => {
    for (const type of ['reading', 'video']) {
      const o = scoreResponse(item({ type, videoUrl: 'https://www.youtube-nocookie.com/embed/x' }), { done: true });
      assert.deepEqual([o.graded, o.success, o.why], [false, true, 'completed']);
    }
  });
});

test('parseNumber returns the unit it saw', () => {
  assert.deepEqual(parseNumber('12 cm'), { value: 12, unit: 'cm' });
  assert.equal(parseNumber('abc'), undefined);
});
