// Issue 14, finding 14 (Low) — a batch was not all-or-nothing: an extension key with "." or a
// leading "$" answered 500 with 9 of 10 statements stored, and the error log held whole
// statements. Now keys are validated first (400 naming statement and key), a write the database
// refuses is rolled back whole, and its error names ids only.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import request from 'supertest';
import { toDocuments } from '../../src/activity/documents.js';
import { StatementWriteError, writeStatements } from '../../src/activity/write.js';
import { countDocs, namedLaunches, startToolAndLms, type ToolAndLms } from '../support/lti.js';

let env: ToolAndLms;
const { ltiks, sessions, launch } = namedLaunches(() => env);
before(async () => {
  env = await startToolAndLms({ LABEL: 'app_batch_keys' });
  await launch('ada', { role: 'student', user: '4', course: '2' });
});
after(async () => env.close());

const SECRET = 'the learner’s private essay text';
const statement = (extensions: Record<string, unknown> = { hint: 1 }) => ({
  id: randomUUID(),
  verb: 'attempted',
  object: { id: 'item-1', kind: 'item' },
  result: { response: SECRET },
  context: { extensions },
});
const post = (body: unknown) => request(env.tool.url).post('/api/activity').set('Authorization', `Bearer ${ltiks.ada}`).send(body as object);
const storedOf = async (batch: { id: string }[]) => {
  let n = 0;
  for (const s of batch) n += await countDocs('wf_statements', { _id: s.id });
  return n;
};

describe('finding 14: extension keys are checked before anything is written', () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['a dot', { 'https://example.edu/ext.hint': 1 }, /statements\.9\.context\.extensions: key "https:\/\/example\.edu\/ext\.hint" is not allowed/],
    ['a leading $', { $where: 'sleep(1000)' }, /statements\.9\.context\.extensions: key "\$where" is not allowed/],
    ['a nested dot', { outer: { list: [{ 'a.b': 1 }] } }, /statements\.9\.context\.extensions\.outer\.list\.0: key "a\.b" is not allowed/],
    ['nesting too deep', { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } }, /statements\.9\.context\.extensions\.a\.b\.c\.d\.e\.f\.g\.h: is nested deeper than 8 levels/],
  ];
  for (const [name, extensions, message] of bad) {
    test(`${name}: 400 naming statement 9 and the key, none of the 10 stored`, async () => {
      const batch = [...Array.from({ length: 9 }, () => statement()), statement(extensions)];
      const res = await post({ statements: batch });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.match(res.body.error.message, message);
      assert.equal(await storedOf(batch), 0);
    });
  }

  test('a key in result.extensions is checked too', async () => {
    const s = { ...statement(), result: { extensions: { '$gt': 1 } } };
    const res = await post(s);
    assert.equal(res.status, 400, res.text);
    assert.match(res.body.error.message, /result\.extensions: key "\$gt" is not allowed/);
  });

  test('the legitimate path: 10 statements with nested extensions are stored whole', async () => {
    const batch = Array.from({ length: 10 }, (_, i) => statement({ attempt: i, 'hint-used': { level: 2, tags: ['a', 'b'] }, 'price$': 1 }));
    const res = await post({ statements: batch });
    assert.equal(res.status, 200, res.text);
    assert.equal(await storedOf(batch), 10);
  });
});

describe('finding 14: a write the database refuses is all-or-nothing and logs ids only', () => {
  test('one refused document out of 10: nothing stored, the error names ids but no statement content', async () => {
    // Past validation (as a server-side producer's bug would be): the database itself refuses the key.
    const docs = toDocuments(sessions.ada, Array.from({ length: 10 }, () => statement()) as never);
    docs[9].context.extensions = { 'a.b': 1 };
    const err = await writeStatements(docs).then(
      () => assert.fail('the database accepted a key with "."'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof StatementWriteError, String(err));
    assert.match(err.message, new RegExp(`statement 9 \\(id ${docs[9]._id}`));
    assert.match(err.message, /nothing from this batch was stored/);
    const logged = JSON.stringify(pino.stdSerializers.err(err));
    assert.ok(!logged.includes(SECRET), `the logged error holds statement content: ${logged}`);
    for (const d of docs) assert.equal(await countDocs('wf_statements', { _id: d._id }), 0);

    // The same documents once fixed are stored whole (ids were fixed before the first attempt).
    docs[9].context.extensions = { ab: 1 };
    assert.deepEqual(await writeStatements(docs), { created: 10, repeated: 0 });
  });
});
