import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { useBackend } from '../../../src/recommend/backend.js';
import { causalEpisodes, type Episode } from '../../../src/recommend/data/episodes.js';
import { parsePid } from '../../../src/recommend/data/pid.js';
import { ItemSpace } from '../../../src/recommend/data/items.js';
import { disposeBatch, toBatch } from '../../../src/recommend/models/batch.js';
import { pairGeometry } from '../../../src/recommend/models/layers.js';
import { createModel, modelFromState } from '../../../src/recommend/models/index.js';
import { MODEL_NAMES, type Recommender } from '../../../src/recommend/models/types.js';
import { predict } from '../../../src/recommend/predict.js';
import { loadModelDir, saveModelDir } from '../../../src/recommend/store.js';
import { plantedDataset, TINY } from './fixtures.js';

const train = plantedDataset(40, 1, 30);
const valid = plantedDataset(10, 2, 30);
const probe = causalEpisodes(plantedDataset(3, 3, 25));
// Item-level rows: multi-skill attempts (two rows each in the file) are single interactions.
const multiSkill = causalEpisodes({
  name: 'multi',
  learners: parsePid('0,m\n1,1,2,5,5,9,9,3,1,1,6,6,2,2,7,5,5,1,1,4\n1,2,1,2,3,0,1,3,1,2,2,3,1,0,3,2,3,1,2,0\n1,1,0,1,1,0,0,1,0,0,1,1,1,1,0,0,0,1,1,1\n', 'multi').learners.map((l) => ({
    ...l,
    interactions: l.interactions.map((x) => ({ ...x, itemId: `i${x.itemId}`, skills: x.skills.map((k) => `s${k}`) })), // the planted items' names
  })),
})[0];

/** The same episode with every response at position ≥ t flipped. */
function flippedFrom(e: Episode, t: number): Episode {
  const support = e.support.map((x, i) => (e.supportPos[i] >= t ? { ...x, correct: !x.correct } : x));
  return { ...e, support };
}

before(async () => assert.ok(await useBackend('wasm')));

for (const name of MODEL_NAMES) {
  describe(`${name} model`, () => {
    let model: Recommender;
    before(async () => {
      model = createModel(name, TINY);
      await model.fit(train, valid, { epochs: 1, seed: 5 });
    });

    test('predicts one probability per query, for any support size including none', async () => {
      const out = await model.predict(probe);
      assert.deepEqual(
        out.map((p) => p.length),
        probe.map((e) => e.query.length),
      );
      for (const p of out) assert.ok(p.every((v) => v > 0 && v < 1));
      const cold = await predict([], [{ itemId: 'i1', skills: ['s1'] }, { itemId: 'unseen', skills: ['s2'] }], model);
      assert.equal(cold.length, 2);
      assert.ok(cold.every((v) => v > 0 && v < 1));
    });

    test('no leakage: predictions before position t ignore responses at t and later', async () => {
      const e = probe[0];
      const [original] = await model.predict([e]);
      for (const t of [0, 7, 15]) {
        const [altered] = await model.predict([flippedFrom(e, t)]);
        for (let i = 0; i <= t; i++) assert.ok(Math.abs(original[i] - altered[i]) < 1e-6, `position ${i} changed when responses from ${t} on were altered`);
        if (name !== 'item-rate') assert.ok(altered.slice(t + 1).some((v, i) => Math.abs(v - original[t + 1 + i]) > 1e-6), 'later predictions should react');
      }
    });

    test('no leakage through multi-skill attempts: flipping an attempt (all its rows) changes only later predictions', async () => {
      assert.ok(multiSkill.support.some((x) => x.skills.length > 1));
      const [original] = await model.predict([multiSkill]);
      for (let t = 0; t < multiSkill.query.length; t++) {
        if (multiSkill.query[t].skills.length < 2) continue;
        const [altered] = await model.predict([flippedFrom(multiSkill, t)]);
        for (let i = 0; i <= t; i++) assert.ok(Math.abs(original[i] - altered[i]) < 1e-6, `position ${i} changed when the multi-skill attempt at ${t} was flipped`);
      }
    });

    test('batching does not change predictions', async () => {
      const together = await model.predict(probe);
      const alone = await Promise.all(probe.map(async (e) => (await model.predict([e]))[0]));
      together.forEach((p, n) => p.forEach((v, i) => assert.ok(Math.abs(v - alone[n][i]) < 1e-5)));
    });

    test('save → load gives identical predictions', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'wayfinder-model-'));
      try {
        await saveModelDir(dir, model.state(), { model: name, data: 'planted', metrics: {}, backend: 'wasm', created: new Date() });
        const loaded = modelFromState((await loadModelDir(dir)).state);
        assert.deepEqual(await loaded.predict(probe), await model.predict(probe));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}

test('pair geometry: only earlier support counts, and earlier attempts at the query\'s own item are marked', () => {
  const at = (itemId: string, correct = true) => ({ itemId, skills: ['s'], correct });
  const episode: Episode = {
    learnerId: 'l',
    support: [at('a'), at('b', false), at('a', false)],
    supportPos: [0, 1, 2],
    query: [at('b'), at('a'), at('c')],
    queryPos: [2, 3, 3],
    offset: 0,
  };
  const space = ItemSpace.fromDataset({ name: 'pairs', learners: [{ learnerId: 'l', interactions: [at('a'), at('b'), at('c')] }] });
  const batch = toBatch([episode], space);
  const { mask, sameItem } = pairGeometry(batch);
  assert.deepEqual(mask.arraySync(), [[[1, 1, 0], [1, 1, 1], [1, 1, 1]]]);
  assert.deepEqual(sameItem.arraySync(), [[[0, 1, 0], [1, 0, 1], [0, 0, 0]]]);
  disposeBatch(batch);
});
