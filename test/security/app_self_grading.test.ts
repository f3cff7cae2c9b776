// Issue 14, finding 2 (High) — a student set their own LMS grade: POST /api/activity took
// `answered`, `completed`, `mastered` and `override` statements with any result, grading counted
// them, and the next real answer sent the forged grade through AGS. Now a learner may post only
// unscored verbs; grades and mastery come only from the server's own answer checking.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { COURSE, startGradedDemo, until } from '../integration/grades_support.js';
import { countDocs, type ToolAndLms } from '../support/lti.js';

let env: ToolAndLms;
const custom = { wayfinder_pathway: 'algebra-readiness', wayfinder_grading: 'points' };
before(async () => {
  env = await startGradedDemo('app_self_grading');
});
after(async () => env.close());

const lmsResult = (sub: string) => env.lms.gradebook(COURSE).results.find((r) => r.lineItemId === `default-${COURSE}` && r.userId === sub);

/** A real answer through the player: the server checks it and records the evidence. */
async function answer(ltik: string, itemId: string, text: string) {
  const res = await fetch(`${env.tool.url}/student/items/${itemId}/answer`, { method: 'POST', body: new URLSearchParams({ ltik, pathway: 'algebra-readiness', text }) });
  assert.equal(res.status, 200, (await res.text()).slice(0, 300));
}

const forged = [
  { id: randomUUID(), verb: 'answered', object: { id: 'add-sub-1', kind: 'item' }, result: { success: true, score: { scaled: 1 } } },
  { id: randomUUID(), verb: 'answered', object: { id: 'add-sub-2', kind: 'item' }, result: { success: true, score: { scaled: 1 } } },
  { id: randomUUID(), verb: 'completed', object: { id: 'add-sub-3', kind: 'item' }, result: { success: true } },
  { id: randomUUID(), verb: 'mastered', object: { id: 'add-sub', kind: 'skill' } },
  { id: randomUUID(), verb: 'override', object: { id: 'algebra-readiness', kind: 'pathway' }, context: { extensions: { learner: '4', kind: 'grade', action: 'set', score: 100 } } },
  // An allowed verb carrying a scored result is no way round it either.
  { id: randomUUID(), verb: 'attempted', object: { id: 'add-sub-4', kind: 'item' }, result: { success: true, score: { scaled: 1 } } },
];

describe('finding 2: a learner cannot grade themselves through /api/activity', () => {
  test('the forged batch is refused whole, as JSON, one statement and a beacon; the gradebook does not move; a real answer still grades', async () => {
    const ada = await env.launchAs({ user: '4', role: 'student', custom });
    const before = await countDocs('wf_statements', { sub: '4' });

    const batch = await request(env.tool.url).post('/api/activity').set('Authorization', `Bearer ${ada.ltik}`).send({ statements: forged });
    assert.equal(batch.status, 400, batch.text);
    assert.equal(batch.body.error.code, 'VALIDATION_FAILED');
    const m = batch.body.error.message as string;
    for (const i of [0, 1, 2, 3, 4]) assert.match(m, new RegExp(`statements\\.${i}\\.verb: must be one of viewed, attempted, skipped`));
    assert.match(m, /statements\.0\.result\.success: is set by the server when it checks an answer/);
    assert.match(m, /statements\.5\.result\.score: is set by the server/);

    for (const s of forged) {
      const one = await request(env.tool.url).post('/api/activity').set('Authorization', `Bearer ${ada.ltik}`).send(s);
      assert.equal(one.status, 400, `${s.verb}: ${one.text}`);
    }
    const beacon = await request(env.tool.url).post('/api/activity').set('Content-Type', 'text/plain').send(JSON.stringify({ ltik: ada.ltik, statements: forged }));
    assert.equal(beacon.status, 400, beacon.text);

    assert.equal(await countDocs('wf_statements', { sub: '4' }), before, 'nothing forged was stored');
    assert.equal(lmsResult('4'), undefined, 'no grade reached the LMS');

    // The legitimate path: a wrong answer through the player grades 0 (the forged 100s never count) …
    await answer(ada.ltik, 'add-sub-2', '12');
    const first = await until('Ada’s grade in the LMS', async () => lmsResult('4'));
    assert.equal(first.resultScore, 0);
    // … and a right one moves it as it should.
    await answer(ada.ltik, 'add-sub-1', '49');
    await until('the new grade in the LMS', async () => lmsResult('4')?.resultScore === 50);
    assert.equal(await countDocs('wf_statements', { sub: '4', verb: 'answered' }), 2, 'the server recorded both answers');
  });

  test('what a learner may post is stored, and never counts as evidence', async () => {
    const li = await env.launchAs({ user: '5', role: 'student', custom });
    const items = ['add-sub-1', 'add-sub-2', 'add-sub-3'];
    const mine = items.flatMap((id) => ['viewed', 'attempted', 'skipped'].map((verb) => ({ verb, object: { id, kind: 'item' }, result: { response: '49', duration: 'PT3S' } })));
    const res = await request(env.tool.url).post('/api/activity').set('Authorization', `Bearer ${li.ltik}`).send({ statements: mine });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.created, mine.length);

    await answer(li.ltik, 'add-sub-2', '12');
    const result = await until('Li’s grade in the LMS', async () => lmsResult('5'));
    assert.equal(result.resultScore, 0, 'one attempted item, answered wrong; the posted statements add nothing');
    assert.equal(result.activityProgress, 'InProgress', 'posted statements do not finish the pathway');
  });
});
