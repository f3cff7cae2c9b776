import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adaptModel, columnMap, widenedSpace } from '../../../src/recommend/adapt.js';
import { useBackend } from '../../../src/recommend/backend.js';
import { causalEpisodes } from '../../../src/recommend/data/episodes.js';
import { ItemSpace } from '../../../src/recommend/data/items.js';
import { evaluate } from '../../../src/recommend/evaluate.js';
import { createModel } from '../../../src/recommend/models/index.js';
import type { NeuralModel } from '../../../src/recommend/models/neural.js';
import { plantedDataset, TINY } from './fixtures.js';

// The tenant's data and a course whose 24 items are its own (ids the tenant never saw) with other,
// more spread-out difficulties: only the skills are shared, so the course has something to learn.
const course = { seed: 77, prefix: 'c', spread: 2 };
const tenantTrain = plantedDataset(200, 31);
const tenantValid = plantedDataset(40, 32);
const courseTrain = plantedDataset(40, 33, 40, course);
const courseValid = plantedDataset(12, 34, 40, course);
const courseTest = plantedDataset(80, 35, 40, course);

async function tenantModel(): Promise<NeuralModel> {
  assert.ok(await useBackend('wasm'));
  const model = createModel('matching', { ...TINY, dim: 16 }) as NeuralModel;
  await model.fit(tenantTrain, tenantValid, { epochs: 4, seed: 3 });
  return model;
}

test('widening the item space keeps every trained row and starts new items at the unseen-item row', () => {
  const base = new ItemSpace({ itemIds: ['a', 'b'], skillIds: ['s1'], featureCount: 1 });
  const wide = widenedSpace(base, { name: 'c', learners: [{ learnerId: 'L', interactions: ['b', 'n', 'n', 'n', 'a'].map((itemId) => ({ itemId, skills: itemId === 'n' ? ['s2'] : ['s1'], correct: true })) }] }, 3);
  assert.deepEqual(wide.json, { itemIds: ['a', 'b', 'n'], skillIds: ['s1', 's2'], featureCount: 1 }, 'only items with 3 answers get an id column');
  // columns: [unseen, a, b, n, s1, s2, feature] ← [unseen, a, b, s1, feature]
  assert.deepEqual(columnMap(base, wide), [0, 1, 2, 0, 3, -1, 4]);
});

test('adaptation: on a course whose items differ, the adapted tenant model beats the tenant model, and starts exactly where it was', async (t) => {
  const tenant = await tenantModel();
  const before = await evaluate(tenant, courseTest);

  // Zero steps: the widened network predicts exactly as the base (new items through the unseen row).
  const unchanged = await adaptModel(tenant.state(), courseTrain, courseValid, { seed: 1, epochs: 0 });
  unchanged.blend = undefined;
  const network = tenant.blend;
  tenant.blend = undefined;
  const episodes = causalEpisodes(courseTest);
  assert.deepEqual(await unchanged.predict(episodes), await tenant.predict(episodes));
  tenant.blend = network;
  assert.ok(unchanged.space.itemIndexOf('c5') >= 0, 'the course items got id weights of their own');

  const adapted = await adaptModel(tenant.state(), courseTrain, courseValid, { seed: 1 });
  const after = await evaluate(adapted, courseTest);
  t.diagnostic(`held-out course AUC: tenant ${before.auc.toFixed(4)}, adapted ${after.auc.toFixed(4)}`);
  assert.ok(after.auc > before.auc + 0.02, `held-out course AUC: tenant ${before.auc.toFixed(4)}, adapted ${after.auc.toFixed(4)}`);
  assert.ok(adapted.space.itemIndexOf('i0') >= 0, 'the tenant items are still known');
});

test('only neural models adapt; the message says what to do instead', async () => {
  const irt = createModel('irt');
  await irt.fit(tenantTrain, tenantValid, { epochs: 1, seed: 1 });
  await assert.rejects(adaptModel(irt.state(), courseTrain, courseValid, { seed: 1 }), /irt model cannot be adapted.*from scratch/);
});
