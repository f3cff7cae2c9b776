import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import request from 'supertest';
import { seedDemoContent } from '../../src/content/demo.js';
import type { LaunchContext } from '../../src/lti/session.js';
import { startToolAndLms, type ToolAndLms } from '../support/lti.js';
import { TEST_ADMIN_TOKEN } from '../support/tool.js';

/** Data requests: an admin exports everything held about one learner, then erases it; others keep theirs. */
const link = { resourceLink: { id: 'rl-fractions', title: 'Fractions' }, custom: { wayfinder_pathway: 'fractions' } };
const ada = { sub: 'dr-ada', name: 'Ada Lovelace' };
const li = { sub: 'dr-li', name: 'Li Wei' };

let env: ToolAndLms;
let tenant: string;
const ltik: Record<string, string> = {};

type Export = { format: string; tenantId: string; sub: string; records: Record<string, Record<string, unknown>[]> };
const admin = (req: request.Test) => req.set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
const exportOf = async (sub: string) => {
  const res = await admin(request(env.tool.url).get(`/api/admin/learners/${tenant}/${sub}/export`));
  assert.equal(res.status, 200, res.text);
  return { res, data: JSON.parse(res.text) as Export };
};
const answer = (who: string, item: string, choice: string) =>
  request(env.tool.url).post(`/student/items/${item}/answer`).type('form').send({ ltik: ltik[who], pathway: 'fractions', choice });
const count = (collection: string, filter: Record<string, unknown>) => mongoose.connection.db!.collection(collection).countDocuments(filter);

before(async () => {
  env = await startToolAndLms({ LABEL: 'data_requests' });
  ltik.ada = (await env.launchAs({ role: 'student', user: ada, course: '2', ...link })).ltik;
  const session = (await mongoose.connection.db!.collection('wf_launches').findOne({ sub: ada.sub })) as unknown as LaunchContext;
  tenant = session.tenantId;
  await seedDemoContent(tenant);
  ltik.adaBio = (await env.launchAs({ role: 'student', user: ada, course: '3', ...link })).ltik;
  ltik.li = (await env.launchAs({ role: 'student', user: li, course: '2', ...link })).ltik;
  // A teacher pins an item for Ada: an override record and an override statement about her.
  const teacher = await env.launchAs({ role: 'teacher', user: { sub: 'dr-teacher', name: 'Grace Hopper' }, course: '2' });
  const pin = await request(env.tool.url)
    .post(`/api/courses/${session.courseId}/overrides`)
    .set('Authorization', `Bearer ${teacher.ltik}`)
    .send({ kind: 'pin', itemId: 'frac-mult-1', learner: ada.sub });
  assert.equal(pin.status, 201, pin.text);
  // Each answer records statements, a recommendation shown (Next up) and queues a grade.
  for (const who of ['ada', 'adaBio', 'li']) {
    assert.equal((await answer(who, 'frac-concept-1', 'a')).status, 200);
    assert.equal((await request(env.tool.url).get(`/student?ltik=${encodeURIComponent(ltik[who])}`)).status, 200);
  }
});
after(async () => env?.close());

describe('learner export', () => {
  test('one JSON file with every kind of record, from every course of the tenant, and nothing of anyone else', async () => {
    const { res, data } = await exportOf(ada.sub);
    assert.match(res.headers['content-disposition'], /attachment; filename="learner-.+-dr-ada\.json"/);
    assert.equal(data.format, 'wayfinder-learner-export/1');
    assert.equal(data.sub, ada.sub);
    for (const kind of ['statements', 'recommendationsShown', 'grades', 'overrides', 'launchSessions']) {
      assert.ok(data.records[kind]?.length > 0, `${kind} exported: ${JSON.stringify(data.records[kind])}`);
    }
    const courses = new Set(data.records.statements.map((s) => s.courseId));
    assert.equal(courses.size, 2, 'both courses');
    assert.ok(data.records.statements.some((s) => s.verb === 'answered'));
    assert.ok(data.records.statements.some((s) => s.verb === 'override' && s.sub === 'dr-teacher'), 'statements others made about her');
    assert.equal(data.records.overrides[0].learner, ada.sub);
    assert.ok(data.records.launchSessions.every((s) => !('_id' in s) && s.sub === ada.sub));
    assert.ok(data.records.grades.every((g) => g.sub === ada.sub));
    assert.doesNotMatch(res.text, /dr-li|Li Wei/);
  });

  test('needs the admin token, and says what is wrong with the path', async () => {
    assert.equal((await request(env.tool.url).get(`/api/admin/learners/${tenant}/${ada.sub}/export`)).status, 401);
    const long = await admin(request(env.tool.url).get(`/api/admin/learners/${tenant}/${'x'.repeat(300)}/export`));
    assert.equal(long.status, 400);
    assert.match(long.body.error.message, /sub: an LTI sub is at most 255 characters/);
  });
});

describe('learner erasure', () => {
  test('leaves nothing of the learner in any area, and other learners keep theirs', async () => {
    const before = { statements: await count('wf_statements', { sub: li.sub }), sessions: await count('wf_launches', { sub: li.sub }) };
    const liGrades = (await exportOf(li.sub)).data.records.grades.length;
    const erased = await admin(request(env.tool.url).delete(`/api/admin/learners/${tenant}/${ada.sub}`));
    assert.equal(erased.status, 200, erased.text);
    const { data } = await exportOf(ada.sub);
    for (const [kind, records] of Object.entries(data.records)) assert.deepEqual(records, [], `${kind} erased`);
    assert.equal(await count('wf_statements', { $or: [{ sub: ada.sub }, { 'context.extensions.learner': ada.sub }] }), 0);
    assert.equal(await count('wf_launches', { sub: ada.sub }), 0);
    assert.equal(await count('wf_grade_deliveries', { sub: ada.sub }), 0);
    assert.equal(await count('wf_overrides', { learner: ada.sub }), 0);
    assert.equal((await request(env.tool.url).get(`/student?ltik=${encodeURIComponent(ltik.ada)}`)).status, 401, 'their sessions ended');
    assert.equal(await count('wf_statements', { sub: li.sub }), before.statements);
    assert.equal(await count('wf_launches', { sub: li.sub }), before.sessions);
    assert.equal((await exportOf(li.sub)).data.records.grades.length, liGrades);
    assert.ok(liGrades > 0);
  });
});
