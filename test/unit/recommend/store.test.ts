import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { useBackend } from '../../../src/recommend/backend.js';
import { causalEpisodes } from '../../../src/recommend/data/episodes.js';
import { createModel, modelFromState } from '../../../src/recommend/models/index.js';
import { activeVersionId, loadVersion, pointActiveVersions, promoteVersion, rollbackVersion, saveVersion, servingVersionId } from '../../../src/recommend/store.js';
import { plantedDataset, TINY } from './fixtures.js';

// Needs the suite's embedded database (`npm test` sets WAYFINDER_TEST_MONGODB_URI); skipped otherwise.
const base = process.env.WAYFINDER_TEST_MONGODB_URI;

test('model versions: save, load identical, promote and roll back', { skip: !base && 'WAYFINDER_TEST_MONGODB_URI not set' }, async () => {
  await mongoose.connect(`${base!.replace(/\/?$/, '/')}wf_recommend_${randomBytes(4).toString('hex')}`);
  try {
    assert.ok(await useBackend('wasm'));
    const data = plantedDataset(20, 4, 20);
    const model = createModel('matching', TINY);
    await model.fit(data, data, { epochs: 1, seed: 1 });
    const meta = { model: 'matching', data: 'planted', metrics: { auc: 0.7 }, backend: 'wasm', created: new Date() };
    const scope = { tenantId: 't_store', courseId: '' };
    const first = await saveVersion(model.state(), meta, scope);
    const second = await saveVersion(model.state(), meta, scope);
    const otherTenant = await saveVersion(model.state(), meta, { tenantId: 't_other' });
    const { state, status } = await loadVersion(first);
    assert.equal(status, 'candidate');
    const episodes = causalEpisodes(data);
    assert.deepEqual(await modelFromState(state).predict(episodes), await model.predict(episodes));
    await promoteVersion(first);
    await promoteVersion(second);
    await promoteVersion(otherTenant);
    assert.equal(await activeVersionId(scope), second, 'promoting in another tenant leaves this one alone');
    assert.equal(await servingVersionId('t_store', 'c_course'), second, 'a course without its own model is served by its tenant');
    assert.equal(await rollbackVersion(scope), first);
    assert.equal(await activeVersionId(scope), first);
    assert.equal((await loadVersion(second)).status, 'retired');
    await assert.rejects(rollbackVersion(scope), /no earlier active version/);
    assert.equal(await activeVersionId({ tenantId: 't_other' }), otherTenant);

    // Serving reads one pointer document per scope by `_id`; migration 7 writes them for a
    // database from before the pointers.
    const pointers = mongoose.connection.db!.collection<{ _id: string; versionId: string }>('wf_active_models');
    assert.equal((await pointers.findOne({ _id: 't_store/*' }))?.versionId, first);
    await pointers.deleteMany({});
    assert.equal(await activeVersionId(scope), undefined);
    assert.equal(await pointActiveVersions(), 2);
    assert.equal(await activeVersionId(scope), first);
    assert.equal(await activeVersionId({ tenantId: 't_other' }), otherTenant);
  } finally {
    await mongoose.connection.dropDatabase();
    await mongoose.disconnect();
  }
});
