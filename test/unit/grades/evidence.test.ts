import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HistoryEntry } from '../../../src/activity/index.js';
import {
  itemShare,
  parseRule,
  pathwayProgress,
  pathwayShare,
  toScore,
} from '../../../src/grades/evidence.js';
import { serviceUrl } from '../../../src/grades/line_items.js';

let n = 0;
const answer = (item: string, success: boolean, scaled = success ? 1 : 0): HistoryEntry =>
  ({
    verb: 'answered',
    object: { id: item, kind: 'item' },
    result: { success, score: { scaled } },
    timestamp: new Date(n++),
  }) as HistoryEntry;
const completed = (item: string): HistoryEntry =>
  ({ verb: 'completed', object: { id: item, kind: 'item' }, timestamp: new Date(n++) }) as HistoryEntry;

const skills: Record<string, string[]> = { a1: ['a'], a2: ['a'], a3: ['a'], b1: ['b'], r: [] };
const pathway = {
  items: ['r', 'a1', 'a2', 'a3', 'b1'],
  skills: ['a', 'b'],
  skillsOfItem: (id: string) => skills[id] ?? [],
};

describe('grades from evidence', () => {
  test('mastery: k of the last n attempts on a skill correct', () => {
    const rule = { kind: 'mastery', k: 2, n: 3 } as const;
    assert.equal(pathwayShare([answer('a1', true)], pathway, rule), 0);
    assert.equal(pathwayShare([answer('a1', true), answer('a2', true)], pathway, rule), 0.5);
    // Only the last three count: two old successes, then three failures.
    const slipped = [
      answer('a1', true),
      answer('a2', true),
      answer('a3', false),
      answer('a1', false),
      answer('a2', false),
    ];
    assert.equal(pathwayShare(slipped, pathway, rule), 0);
    assert.equal(
      pathwayShare(
        [answer('a1', true), answer('a2', true), answer('b1', true), answer('b1', true)],
        pathway,
        rule,
      ),
      1,
    );
  });

  test('points over attempted items, latest attempt per item; reading is not points', () => {
    const h = [completed('r'), answer('a1', false), answer('a1', true), answer('a2', false, 0.5)];
    assert.equal(pathwayShare(h, pathway, { kind: 'points' }), 0.75);
    assert.equal(pathwayShare([], pathway, { kind: 'points' }), 0);
  });

  test('answers outside the pathway do not count', () => {
    assert.equal(pathwayShare([answer('elsewhere', true)], pathway, { kind: 'points' }), 0);
  });

  test('an item: its latest score; reading completed is full marks', () => {
    assert.equal(itemShare([answer('a1', true), answer('a1', false, 0.25)], 'a1'), 0.25);
    assert.equal(itemShare([completed('r')], 'r'), 1);
    assert.equal(itemShare([], 'a1'), 0);
  });

  test('progress and the score sent', () => {
    assert.equal(pathwayProgress([answer('a1', true)], pathway.items), 'InProgress');
    const all = [completed('r'), ...['a1', 'a2', 'a3', 'b1'].map((i) => answer(i, true))];
    assert.equal(pathwayProgress(all, pathway.items), 'Completed');
    assert.deepEqual(toScore(2 / 3, 100, 'InProgress'), {
      given: 66.67,
      maximum: 100,
      activityProgress: 'InProgress',
      gradingProgress: 'FullyGraded',
    });
  });

  test('rules from the LMS custom parameter', () => {
    assert.deepEqual(parseRule('points'), { kind: 'points' });
    assert.deepEqual(parseRule(' Mastery:3/5 '), { kind: 'mastery', k: 3, n: 5 });
    assert.equal(parseRule('mastery:4/3'), undefined);
    assert.equal(parseRule('best'), undefined);
  });

  test('the scores URL keeps the line item query string', () => {
    assert.equal(
      serviceUrl('https://lms.example/mod/lti/services.php/2/lineitems/11/lineitem?type_id=4', 'scores'),
      'https://lms.example/mod/lti/services.php/2/lineitems/11/lineitem/scores?type_id=4',
    );
    assert.equal(
      serviceUrl('https://canvas.example/api/lti/courses/1/line_items/7', 'results', { user_id: 'u 1' }),
      'https://canvas.example/api/lti/courses/1/line_items/7/results?user_id=u+1',
    );
  });
});
