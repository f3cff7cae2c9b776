import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import request from 'supertest';
import { eraseLearner } from '../../src/activity/index.js';
import { seedDemoContent } from '../../src/content/demo.js';
import { tenantId } from '../../src/lti/tenancy.js';
import { exportLearner } from '../../src/privacy/registry.js';
import { startToolAndLms, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID, type ToolAndLms } from '../support/lti.js';
import { COURSE, gradeOf, outboxOf, scopeOf, settled, until } from './grades_support.js';

/**
 * A teacher's grade override, through the player, the outbox and the dev LMS's gradebook: it
 * replaces the grade, the learner's further answers do not move it, and reverting it sends the
 * newest evidence-based grade again.
 */
let env: ToolAndLms;
let course: string;
const custom = { wayfinder_pathway: 'algebra-readiness', wayfinder_grading: 'points' };
const ada = { sub: 'go-ada', name: 'Ada Lovelace' };
const column = `wayfinder-${COURSE}`;
const ltik: Record<string, string> = {};

before(async () => {
  env = await startToolAndLms({ LABEL: 'grade_override' });
  env.tool.grades.options.pollMs = 50;
  await seedDemoContent(tenantId(env.lms.issuer, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID));
  course = scopeOf(env).courseId;
  ltik.ada = (await env.launchAs({ user: ada, role: 'student', custom })).ltik;
  ltik.teacher = (await env.launchAs({ user: { sub: 'go-teacher', name: 'Grace Hopper' }, role: 'teacher' })).ltik;
  ltik.otherTeacher = (await env.launchAs({ user: { sub: 'go-teacher', name: 'Grace Hopper' }, role: 'teacher', course: '3' })).ltik;
});
after(async () => env?.close());

async function answer(itemId: string, text: string) {
  const res = await fetch(`${env.tool.url}/student/items/${itemId}/answer`, {
    method: 'POST',
    body: new URLSearchParams({ ltik: ltik.ada, pathway: 'algebra-readiness', text }),
  });
  assert.equal(res.status, 200, (await res.text()).slice(0, 300));
}
const lmsResult = () => env.lms.gradebook(COURSE).results.find((r) => r.lineItemId === `default-${COURSE}` && r.userId === ada.sub);
const lmsScoreIs = (score: number) => until(`Ada's LMS grade to be ${score}`, async () => lmsResult()?.resultScore === score);
const overrides = (method: 'get' | 'post' | 'delete', path = '', who = 'teacher', courseId = course) =>
  request(env.tool.url)[method](`/api/courses/${courseId}/overrides${path}`).set('Authorization', `Bearer ${ltik[who]}`);

describe('a grade override stands over the evidence until reverted', () => {
  let id: string;

  test('an override replaces the grade in the LMS gradebook and shows in the teacher’s grades', async () => {
    await answer('add-sub-1', '49');
    await lmsScoreIs(100);
    const set = await overrides('post').send({ kind: 'grade', learner: ada.sub, resourceLinkId: column, score: 35 });
    assert.equal(set.status, 201, set.text);
    id = set.body.override._id;
    assert.equal(set.body.override.kind, 'grade');
    assert.equal(set.body.override.by.name, 'Grace Hopper');
    assert.equal(set.body.override.score, 35);
    await lmsScoreIs(35);
    const row = await gradeOf(env, ada.sub);
    assert.equal(row?.override?.score, 35);
    assert.equal(row?.override?.by.sub, 'go-teacher');
    assert.equal(row?.override?.id, id);
    const listed = await request(env.tool.url).get(`/api/courses/${course}/grades`).set('Authorization', `Bearer ${ltik.teacher}`);
    assert.equal(listed.body.grades.find((g: { sub: string }) => g.sub === ada.sub).override.score, 35);
  });

  test('further answers do not move the overridden grade', async () => {
    const received = env.lms.gradebook(COURSE).received.length;
    await answer('add-sub-2', '12'); // wrong: the evidence is now 50 points
    await settled(env, ada.sub);
    assert.deepEqual(await outboxOf(ada.sub), [], 'nothing queued for the learner');
    assert.equal(env.lms.gradebook(COURSE).received.length, received, 'nothing sent to the LMS');
    assert.equal(lmsResult()?.resultScore, 35);
    assert.equal((await gradeOf(env, ada.sub))?.override?.score, 35);
  });

  test('setting it again replaces the score', async () => {
    const again = await overrides('post').send({ kind: 'grade', learner: ada.sub, resourceLinkId: column, score: 42.5 });
    assert.equal(again.status, 201, again.text);
    assert.equal(again.body.override._id, id, 'one override per learner and column');
    await lmsScoreIs(42.5);
  });

  test('reverting sends the newest evidence-based grade again, later than the override', async () => {
    const overriddenAt = lmsResult()!.timestamp;
    const reverted = await overrides('delete', `/${id}`);
    assert.equal(reverted.status, 200, reverted.text);
    assert.ok(reverted.body.override.revertedAt);
    assert.equal(reverted.body.override.revertedBy.name, 'Grace Hopper');
    await lmsScoreIs(50);
    assert.ok(Date.parse(lmsResult()!.timestamp) > Date.parse(overriddenAt), 'a newer score timestamp');
    assert.equal((await gradeOf(env, ada.sub))?.override, undefined);
    // Activity counts again.
    await answer('add-sub-2', '47');
    await lmsScoreIs(100);
    assert.equal((await overrides('delete', `/${id}`)).status, 200, 'reverting twice changes nothing');
  });

  test('every set and revert is an override statement naming the teacher and the learner', async () => {
    const statements = await mongoose.connection
      .db!.collection('wf_statements')
      .find({ courseId: course, verb: 'override' })
      .sort({ stored: 1 })
      .toArray();
    assert.deepEqual(
      statements.map((s) => [s.sub, s.context.extensions.learner, s.context.extensions.kind, s.context.extensions.action, s.context.extensions.score]),
      [
        ['go-teacher', ada.sub, 'grade', 'set', 35],
        ['go-teacher', ada.sub, 'grade', 'set', 42.5],
        ['go-teacher', ada.sub, 'grade', 'revert', 42.5],
      ],
    );
    assert.ok(statements.every((s) => s.context.extensions.override === id && s.context.extensions.resourceLinkId === column));
    assert.deepEqual(statements[0].object, { id: 'algebra-readiness', kind: 'pathway' });
    const list = await overrides('get', `?learner=${ada.sub}`);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.overrides.map((o: { kind: string; score: number }) => [o.kind, o.score]),
      [['grade', 42.5]],
    );
  });
});

describe('who may override a grade, and what is refused', () => {
  const body = { kind: 'grade', learner: ada.sub, resourceLinkId: column, score: 10 };

  test('a student gets 403; a teacher of another course gets 403', async () => {
    const student = await overrides('post', '', 'ada').send(body);
    assert.equal(student.status, 403);
    const other = await overrides('post', '', 'otherTeacher').send(body);
    assert.equal(other.status, 403);
    assert.match(other.body.error.message, /only the course you opened/);
    assert.equal((await gradeOf(env, ada.sub))?.override, undefined);
  });

  test('bad input says what is wrong; a learner without a grade there is 404', async () => {
    const high = await overrides('post').send({ ...body, score: 101 });
    assert.equal(high.status, 400);
    assert.match(high.body.error.message, /score: must be from 0 to 100/);
    const everyone = await overrides('post').send({ ...body, learner: '*' });
    assert.equal(everyone.status, 400);
    assert.match(everyone.body.error.message, /a grade override is for one learner/);
    const badKind = await overrides('post').send({ ...body, kind: 'promote' });
    assert.match(badKind.body.error.message, /kind: must be pin, skip or grade/);
    const nobody = await overrides('post').send({ ...body, learner: 'nobody' });
    assert.equal(nobody.status, 404);
    assert.match(nobody.body.error.message, /nobody has no grade in resource link/);
    assert.equal((await overrides('delete', '/grade-s_AAAAAAAAAAAAAAAAAAAAAA')).status, 404);
    assert.equal((await overrides('delete', '/not-an-id')).status, 400);
  });
});

describe('data requests', () => {
  test('the learner export holds the grade override and erasure removes it', async () => {
    const tenant = scopeOf(env).tenantId;
    const data = await exportLearner(tenant, ada.sub);
    const [o] = data.records.gradeOverrides as { learner: string; kind: string; withheld?: unknown }[];
    assert.equal(o.learner, ada.sub);
    assert.equal(o.kind, 'grade');
    assert.ok(o.withheld, 'the grade withheld while it stood');
    await eraseLearner(tenant, ada.sub);
    assert.deepEqual((await exportLearner(tenant, ada.sub)).records.gradeOverrides, []);
    const db = mongoose.connection.db!;
    assert.equal(await db.collection('wf_grade_overrides').countDocuments({ learner: ada.sub }), 0);
    assert.equal(await db.collection('wf_grade_withheld').countDocuments({ sub: ada.sub }), 0);
  });
});
