import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadDkvmn, parseDkvmn } from '../../../src/recommend/data/dkvmn.js';
import { candidateEpisode, causalEpisodes, sampleEpisode, splitLearners, type Episode } from '../../../src/recommend/data/episodes.js';
import { datasetFromInteractions } from '../../../src/recommend/data/interactions.js';
import { ItemSpace } from '../../../src/recommend/data/items.js';
import { loadBenchmark, parsePid } from '../../../src/recommend/data/pid.js';
import { evaluate } from '../../../src/recommend/evaluate.js';
import { makeRng } from '../../../src/recommend/random.js';
import { datasetsDir } from './fixtures.js';

test('parses the three-line format with trailing commas and CRLF', () => {
  const d = parseDkvmn('3\r\n1,2,2,\r\n1,0,1,\r\n1\r\n5\r\n0\r\n', 'x');
  assert.equal(d.learners.length, 2);
  assert.deepEqual(
    d.learners[0].interactions.map((x) => [x.itemId, x.skills, x.correct]),
    [
      ['1', ['1'], true],
      ['2', ['2'], false],
      ['2', ['2'], true],
    ],
  );
});

test('a count mismatch or a non-number names the 1-based line', () => {
  assert.throws(() => parseDkvmn('2\n1,2\n1,0\n3\n1,2\n1,0,1\n', 'x'), /line 5/);
  assert.throws(() => parseDkvmn('2\n1,x\n1,0\n', 'x'), /line 2/);
  assert.throws(() => parseDkvmn('2\n1,2\n1,2\n', 'x'), /line 3/);
});

test('loads the shipped ASSIST2009 split', async () => {
  const d = await loadDkvmn(path.join(datasetsDir, 'assist2009', 'test.csv'));
  assert.equal(d.name, 'assist2009');
  assert.equal(d.learners.length, 1230);
});

test('the standard protocol cuts sequences into chunks of at most 200', () => {
  const interactions = Array.from({ length: 450 }, (_, i) => ({ itemId: String(i % 7), skills: [], correct: i % 2 === 0 }));
  const episodes = causalEpisodes({ name: 'x', learners: [{ learnerId: 'a', interactions }] });
  assert.deepEqual(
    episodes.map((e) => [e.offset, e.query.length]),
    [
      [0, 200],
      [200, 200],
      [400, 50],
    ],
  );
  assert.deepEqual(episodes[1].queryPos.slice(0, 2), [0, 1]);
});

test('episode sampler: support of 1..K interactions and the next m as query', () => {
  const interactions = Array.from({ length: 30 }, (_, i) => ({ itemId: String(i), skills: [], correct: true }));
  const rng = makeRng(3);
  for (let i = 0; i < 50; i++) {
    const e = sampleEpisode({ learnerId: 'a', interactions }, 5, 4, rng)!;
    assert.ok(e.support.length >= 1 && e.support.length <= 5);
    assert.ok(e.query.length >= 1 && e.query.length <= 4);
    assert.equal(Number(e.query[0].itemId), Number(e.support[e.support.length - 1].itemId) + 1);
    assert.ok(e.queryPos.every((p) => p === e.support.length));
  }
});

test('interaction lists become the same learner sequences as the benchmark files', () => {
  const d = datasetFromInteractions('course', [
    { learnerId: 'u1', itemId: 'q1', skills: ['fractions'], correct: true },
    { learnerId: 'u2', itemId: 'q2', skills: [], correct: false },
    { learnerId: 'u1', itemId: 'q2', skills: [], correct: false },
  ]);
  assert.deepEqual(
    d.learners.map((l) => [l.learnerId, l.interactions.length]),
    [
      ['u1', 2],
      ['u2', 1],
    ],
  );
  const e = candidateEpisode(d.learners[0].interactions, [{ itemId: 'q9', skills: ['fractions'] }]);
  assert.deepEqual(e.queryPos, [2]);
});

test('an unseen item still embeds through its skills', () => {
  const space = ItemSpace.fromDataset({ name: 'x', learners: [{ learnerId: 'a', interactions: [{ itemId: 'q1', skills: ['s1'], correct: true }] }] });
  const row = new Float32Array(space.width);
  space.featurize({ itemId: 'new', skills: ['s1'] }, row);
  assert.deepEqual([...row], [1, 0, 1]); // unseen flag, no id column, skill s1
});

test('learner split is seeded and disjoint', () => {
  const learners = Array.from({ length: 50 }, (_, i) => ({ learnerId: String(i), interactions: [] }));
  const a = splitLearners({ name: 'x', learners }, 0.2, makeRng(7));
  const b = splitLearners({ name: 'x', learners }, 0.2, makeRng(7));
  assert.equal(a.valid.learners.length, 10);
  assert.deepEqual(a.valid.learners, b.valid.learners);
  assert.equal(new Set([...a.train.learners, ...a.valid.learners]).size, 50);
});

test('item-level format: the rows of one multi-skill attempt are one interaction with every skill', () => {
  const text = '0,s1\n1366,1366,1424,1424,7,7,7\n7,9,7,9,15,15,3\n1,1,0,0,1,0,0\n';
  const d = parsePid(text, 'pid');
  assert.equal(d.learners[0].learnerId, 's1');
  assert.deepEqual(
    d.learners[0].interactions.map((x) => [x.itemId, x.skills, x.correct]),
    [
      ['1366', ['7', '9'], true],
      ['1424', ['7', '9'], false],
      // Same problem and skill with another response: a second attempt, whose two rows merge again.
      ['7', ['15'], true],
      ['7', ['15', '3'], false],
    ],
  );
  assert.throws(() => parsePid('0,s1\n1,2\n7\n1,0\n', 'pid'), /line 3/);
  assert.throws(() => parsePid('0,s1\n1,2\n7,8\n1,2\n', 'pid'), /line 4/);
});

test('loads the shipped ASSIST2009-pid split as items with skills', async () => {
  const d = await loadBenchmark(path.join(datasetsDir, 'assist2009_pid', 'test.csv'));
  assert.equal(d.name, 'assist2009_pid');
  assert.equal(d.learners.length, 830);
  const interactions = d.learners.flatMap((l) => l.interactions);
  // 60,915 rows; each row is one skill of one attempt.
  assert.equal(
    interactions.reduce((n, x) => n + x.skills.length, 0),
    60_915,
  );
  assert.equal(interactions.length, 52_003);
  assert.equal(interactions.filter((x) => x.skills.length > 1).length, 8_065);
});

test('per-row AUC counts an attempt once per skill row; unseen-item AUC scores only items outside training', async () => {
  const learner = (id: string, xs: [string, string[], boolean][]) => ({ learnerId: id, interactions: xs.map(([itemId, skills, correct]) => ({ itemId, skills, correct })) });
  const data = {
    name: 'x',
    learners: [
      learner('a', [
        ['known1', ['s'], true],
        ['new', ['s', 't'], true],
        ['new2', ['s'], false],
        ['known2', ['s'], false],
      ]),
    ],
  };
  // A fixed predictor by position.
  const p = [0.9, 0.4, 0.6, 0.3];
  const fixed = { name: 'irt' as const, fit: async () => {}, state: () => ({ model: 'irt' as const, json: {}, tensors: [], weights: new Float32Array() }), predict: async (es: Episode[]) => es.map((e) => Float32Array.from(e.query, (_, i) => p[i])) };
  const m = await evaluate(fixed, data, new Set(['known1', 'known2']));
  assert.equal(m.auc, 3 / 4);
  assert.equal(m.aucPerRow, 4 / 6); // the two-skill positive (0.4) counts twice
  assert.equal(m.aucUnseenItems, 0); // among unseen: the positive (0.4) is below the negative (0.6)
  assert.ok(Number.isNaN((await evaluate(fixed, data)).aucUnseenItems));
});
