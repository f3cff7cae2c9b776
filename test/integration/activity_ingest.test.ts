import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { countDocs, startToolAndLms, type ToolAndLms } from '../support/lti.js';

let env: ToolAndLms;
let ltik: string;
let issuer: string;
before(async () => {
  env = await startToolAndLms({ LABEL: 'activity_ingest' });
  ltik = (await env.launchAs({ role: 'student', user: '4', course: '2' })).ltik;
  issuer = env.lms.issuer;
});
after(async () => env.close());

const post = (body: unknown, token = ltik) => request(env.tool.url).post('/api/activity').set('Authorization', `Bearer ${token}`).send(body as object);
// What a learner's browser may send (answers are scored and recorded by the server: test/security/app_self_grading).
const answer = (over: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  verb: 'attempted',
  object: { id: 'item-1', kind: 'item' },
  result: { response: 'x = 2', duration: 'PT45S' },
  ...over,
});
const stored = (id: string) => countDocs('wf_statements', { _id: id });

describe('ingest', () => {
  test('one statement is stored with the session as actor, tenant and course', async () => {
    const s = answer({ context: { recommendationId: 'rec-1', extensions: { hint: 1 } } });
    const res = await post(s);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { ids: [s.id], created: 1, repeated: 0 });
    const { db } = await import('mongoose').then((m) => m.default.connection);
    const doc = await db!.collection('wf_statements').findOne({ _id: s.id as never });
    assert.ok(doc);
    assert.equal(doc.sub, '4');
    assert.equal(doc.issuer, issuer);
    assert.match(doc.tenantId, /^t_/);
    assert.match(doc.courseId, /^c_/);
    assert.equal(doc.verb, 'attempted');
    assert.equal(doc.preview, false);
    assert.equal(doc.day, (doc.timestamp as Date).toISOString().slice(0, 10));
    assert.equal(doc.context.recommendationId, 'rec-1');
    assert.ok(doc.context.launchId);
    assert.ok(doc.stored instanceof Date);
  });

  test('a batch is stored whole; ids are generated when not given', async () => {
    const res = await post({ statements: [answer(), { verb: 'viewed', object: { id: 'p-1', kind: 'pathway' } }, answer({ verb: 'skipped', result: undefined })] });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.created, 3);
    assert.equal(res.body.ids.length, 3);
    for (const id of res.body.ids) assert.equal(await stored(id), 1);
  });

  test('a teacher’s statements are marked preview', async () => {
    const teacher = (await env.launchAs({ role: 'teacher', user: '3', course: '2' })).ltik;
    const s = answer();
    assert.equal((await post(s, teacher)).status, 200);
    assert.equal(await countDocs('wf_statements', { _id: s.id, preview: true, sub: '3' }), 1);
  });

  test('sendBeacon’s text/plain body carries the ltik instead of a header', async () => {
    const s = answer();
    const res = await request(env.tool.url).post('/api/activity').set('Content-Type', 'text/plain').send(JSON.stringify({ ltik, statements: [s] }));
    assert.equal(res.status, 200, res.text);
    assert.equal(await stored(s.id), 1);
  });

  test('without a session: 401', async () => {
    const res = await request(env.tool.url).post('/api/activity').send(answer());
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'UNAUTHENTICATED');
  });
});

describe('idempotency', () => {
  test('the same ids with the same content: 200, no duplicates', async () => {
    const batch = [answer(), answer({ verb: 'viewed', result: { duration: 'PT3S' } })];
    assert.equal((await post({ statements: batch })).status, 200);
    // A retry may carry another timestamp (xAPI leaves timestamp out of statement comparison).
    const again = await post({ statements: batch.map((s) => ({ ...s, timestamp: new Date().toISOString() })) });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body, { ids: batch.map((s) => s.id), created: 0, repeated: 2 });
    for (const s of batch) assert.equal(await stored(s.id), 1);
  });

  test('a retry after a partial write completes it without duplicates', async () => {
    const batch = [answer(), answer(), answer()];
    assert.equal((await post(batch[1])).status, 200); // as if the first attempt stored only this one
    const res = await post({ statements: batch });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.body.created, res.body.repeated], [2, 1]);
    for (const s of batch) assert.equal(await stored(s.id), 1);
  });

  test('the same id with other content: 409, and nothing of that batch is stored', async () => {
    const s = answer();
    assert.equal((await post(s)).status, 200);
    const fresh = answer();
    const res = await post({ statements: [fresh, { ...s, result: { response: 'x = 3' } }] });
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.error.code, 'CONFLICT');
    assert.match(res.body.error.message, /statement 1 \(id [0-9a-f-]+\)/);
    assert.equal(await stored(fresh.id), 0, 'the other statement of the batch was rolled back');
    assert.equal(await countDocs('wf_statements', { _id: s.id, 'result.response': 'x = 2' }), 1, 'the original is untouched');
  });
});

describe('validation: the whole batch is refused, each problem named', () => {
  const future = new Date(Date.now() + 10 * 60_000).toISOString();
  const cases: [string, unknown, RegExp][] = [
    ['not an object', [answer()], /send one statement object or \{ "statements": \[\.\.\.\] \}/],
    ['empty batch', { statements: [] }, /statements: must hold at least one statement/],
    ['batch over 500', { statements: Array.from({ length: 501 }, () => answer()) }, /statements: must hold at most 500 statements; split the batch/],
    ['id not a UUID', answer({ id: 'abc' }), /id: must be a UUID/],
    ['unknown verb', answer({ verb: 'liked' }), /verb: must be one of viewed, attempted, skipped/],
    ['missing verb', answer({ verb: undefined }), /verb: must be one of/],
    ['missing object', answer({ object: undefined }), /object: is required: \{ id, kind \}/],
    ['empty object id', answer({ object: { id: '', kind: 'item' } }), /object\.id: must not be empty/],
    ['object id too long', answer({ object: { id: 'x'.repeat(201), kind: 'item' } }), /object\.id: must be at most 200 characters/],
    ['bad object kind', answer({ object: { id: 'i', kind: 'video' } }), /object\.kind: must be item, pathway or skill/],
    ['success from a learner', answer({ result: { success: true } }), /result\.success: is set by the server when it checks an answer/],
    ['score from a learner', answer({ result: { score: { scaled: 1 } } }), /result\.score: is set by the server when it checks an answer/],
    ['response too long', answer({ result: { response: 'x'.repeat(10_001) } }), /result\.response: must be at most 10000 characters/],
    ['duration not ISO 8601', answer({ result: { duration: '45 seconds' } }), /result\.duration: must be an ISO 8601 duration, e.g\. PT45S/],
    ['extensions not an object', answer({ context: { extensions: 'x' } }), /context\.extensions: must be an object of extension values/],
    ['timestamp without zone', answer({ timestamp: '2024-05-01T10:00:00' }), /timestamp: must be an ISO 8601 date-time with a time zone/],
    ['timestamp not a real date', answer({ timestamp: '2024-13-45T10:00:00Z' }), /timestamp: is not a real date/],
    ['timestamp > 5 min ahead', answer({ timestamp: future }), /timestamp: is more than 5 minutes in the future: check the device clock/],
    ['unknown field', answer({ verbs: 'answered' }), /body: Unrecognized key\(s\) in object: 'verbs'/],
    ['unknown result field', answer({ result: { sucess: true } }), /result: Unrecognized key\(s\) in object: 'sucess'/],
  ];
  for (const [name, body, message] of cases) {
    test(name, async () => {
      const res = await post(body);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.match(res.body.error.message, message);
    });
  }

  test('a batch names each failing index and field, and stores none of it', async () => {
    const good = answer();
    const dup = answer();
    const res = await post({ statements: [good, answer({ verb: 'nope' }), dup, answer({ result: { duration: '2 s' } }), dup] });
    assert.equal(res.status, 400);
    const m = res.body.error.message as string;
    assert.match(m, /statements\.1\.verb: must be one of/);
    assert.match(m, /statements\.3\.result\.duration: must be an ISO 8601 duration/);
    assert.match(m, /statements\.4\.id: repeats the id of statement 2/);
    assert.equal(await stored(good.id), 0);
  });

  test('a body over 1 MiB: 413', async () => {
    const big = Array.from({ length: 120 }, () => answer({ result: { response: 'y'.repeat(9_000) } }));
    const res = await post({ statements: big });
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'PAYLOAD_TOO_LARGE');
  });
});

describe('the actor is always the launched user', () => {
  test('naming another learner: 403 ACTOR_MISMATCH, nothing stored', async () => {
    const ok = answer();
    const spoof = answer({ actor: { objectType: 'Agent', account: { homePage: issuer, name: '5' } } });
    const res = await post({ statements: [ok, spoof] });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'ACTOR_MISMATCH');
    assert.match(res.body.error.message, /^statement 1: the actor must be you/);
    assert.equal(await stored(ok.id), 0);
  });

  test('an e-mail actor is refused too', async () => {
    const res = await post(answer({ actor: { mbox: 'mailto:ada@example.edu' } }));
    assert.equal(res.status, 403);
  });

  test('repeating one’s own account is accepted', async () => {
    const res = await post(answer({ actor: { objectType: 'Agent', account: { homePage: issuer, name: '4' } } }));
    assert.equal(res.status, 200, res.text);
  });
});
