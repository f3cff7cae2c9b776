import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadDkvmn, parseDkvmn } from '../../../src/recommend/data/dkvmn.js';
import { candidateEpisode, causalEpisodes, sampleEpisode, splitLearners } from '../../../src/recommend/data/episodes.js';
import { datasetFromInteractions } from '../../../src/recommend/data/interactions.js';
import { ItemSpace } from '../../../src/recommend/data/items.js';
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
