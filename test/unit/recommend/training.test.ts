import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBackend } from '../../../src/recommend/backend.js';
import { evaluate } from '../../../src/recommend/evaluate.js';
import { createModel } from '../../../src/recommend/models/index.js';
import { plantedDataset, TINY } from './fixtures.js';

const train = plantedDataset(300, 21);
const valid = plantedDataset(60, 22);
const test_ = plantedDataset(100, 23);

for (const name of ['matching', 'relation'] as const) {
  test(`${name}: seeded training on planted structure beats chance clearly and is reproducible`, async () => {
    assert.ok(await useBackend('wasm'));
    const run = async () => {
      const model = createModel(name, { ...TINY, dim: 16 });
      await model.fit(train, valid, { epochs: 5, seed: 3 });
      return evaluate(model, test_);
    };
    const first = await run();
    assert.ok(first.auc > 0.62, `test AUC ${first.auc}`);
    const second = await run();
    assert.equal(second.auc, first.auc);
  });
}
