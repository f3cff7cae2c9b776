import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MongoClient, type Db } from 'mongodb';
import { freshDatabaseUri } from '../support/db.js';

/**
 * The embedded FerretDB is built with Wayfinder's patch (src/db/ferretdb_patches.ts) so that a
 * filter by `_id` uses the `_id` index: SQLite's own plan, which FerretDB's explain returns, must
 * say SEARCH … USING INDEX, not SCAN (a scan makes every `_id` read cost the whole collection).
 */
let client: MongoClient;
let db: Db;

before(async () => {
  client = new MongoClient(freshDatabaseUri('id_index'));
  await client.connect();
  db = client.db();
});
after(async () => client?.close());

const docs = () => db.collection<{ _id: string; n: number }>('docs');
const plan = async (filter: Record<string, unknown>) => {
  const r = await db.command({ explain: { find: 'docs', filter }, verbosity: 'queryPlanner' });
  return JSON.stringify(r.queryPlanner ?? r);
};

test('a find by _id searches the _id index; any other filter still scans', async (t) => {
  const info = await db.admin().command({ buildInfo: 1 });
  if (!/ferret/i.test(JSON.stringify(info))) return t.skip('the embedded database is not FerretDB');
  await docs().insertMany(Array.from({ length: 50 }, (_, n) => ({ _id: `d${n}`, n })));
  const byId = await plan({ _id: 'd7' });
  assert.match(byId, /USING INDEX docs_[0-9a-f]+__id_/, byId);
  assert.doesNotMatch(byId, /detail=SCAN/, byId);
  assert.match(await plan({ n: 7 }), /detail=SCAN/);
  // The patch changes the plan, not the answer.
  assert.deepEqual(await docs().findOne({ _id: 'd7' }), { _id: 'd7', n: 7 });
  const r = await docs().updateOne({ _id: 'd8' }, { $set: { n: 80 } });
  assert.equal(r.modifiedCount, 1);
  assert.equal((await docs().findOne({ _id: 'd8' }))?.n, 80);
  assert.equal((await docs().deleteOne({ _id: 'd9' })).deletedCount, 1);
  assert.equal(await docs().countDocuments({}), 49);
});
