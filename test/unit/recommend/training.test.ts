import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBackend } from '../../../src/recommend/backend.js';
import { evaluate } from '../../../src/recommend/evaluate.js';
import { createModel } from '../../../src/recommend/models/index.js';
import type { Recommender } from '../../../src/recommend/models/types.js';
import { predict } from '../../../src/recommend/predict.js';
import { plantedDataset, TINY } from './fixtures.js';

const train = plantedDataset(300, 21);
const valid = plantedDataset(60, 22);
const test_ = plantedDataset(100, 23);

/** The planted skills from the easiest to the hardest, by training success rate. */
const skillsByEase = (() => {
  const rate = new Map<string, [number, number]>();
  for (const x of train.learners.flatMap((l) => l.interactions)) {
    const [c, n] = rate.get(x.skills[0]) ?? [0, 0];
    rate.set(x.skills[0], [c + (x.correct ? 1 : 0), n + 1]);
  }
  return [...rate].sort((a, b) => b[1][0] / b[1][1] - a[1][0] / a[1][1]).map(([s]) => s);
})();

/** A newly imported item (never answered) of the easiest skill is predicted likelier than one of the hardest, at once. */
async function assertNewItemsFollowTheirSkills(model: Recommender): Promise<void> {
  const easiest = skillsByEase[0];
  const hardest = skillsByEase[skillsByEase.length - 1];
  const [easy, hard] = await predict([], [{ itemId: 'imported-today-1', skills: [easiest] }, { itemId: 'imported-today-2', skills: [hardest] }], model);
  assert.ok(easy > hard, `new item of ${easiest}: ${easy}, of ${hardest}: ${hard}`);
}

for (const name of ['matching', 'relation'] as const) {
  test(`${name}: seeded training on planted structure beats chance clearly and is reproducible; new items are predicted through their skills`, async () => {
    assert.ok(await useBackend('wasm'));
    const run = async () => {
      const model = createModel(name, { ...TINY, dim: 16 });
      await model.fit(train, valid, { epochs: 5, seed: 3 });
      return { model, metrics: await evaluate(model, test_) };
    };
    const first = await run();
    assert.ok(first.metrics.auc > 0.62, `test AUC ${first.metrics.auc}`);
    await assertNewItemsFollowTheirSkills(first.model);
    const second = await run();
    assert.equal(second.metrics.auc, first.metrics.auc);
  });
}

test('hierarchical IRT: a new item gets its skills\' difficulty', async () => {
  const irt = createModel('irt');
  await irt.fit(train, valid, { epochs: 1, seed: 1 });
  await assertNewItemsFollowTheirSkills(irt);
});
