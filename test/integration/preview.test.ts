import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import request from 'supertest';
import { seedDemoContent } from '../../src/content/demo.js';
import { courseGrades } from '../../src/grades/index.js';
import type { LaunchContext } from '../../src/lti/session.js';
import { datasetFromActivity } from '../../src/recommend/data/activity.js';
import { startToolAndLms, type ToolAndLms } from '../support/lti.js';

/**
 * Teacher preview and LMS test users: the student experience with a banner, statements marked
 * preview and kept out of dashboards, grades and training data; "reset my preview" clears them.
 */
const TEST_USER_ROLES = ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner', 'http://purl.imsglobal.org/vocab/lti/system/person#TestUser'];
const link = { resourceLink: { id: 'rl-fractions', title: 'Fractions' }, custom: { wayfinder_pathway: 'fractions' } };
const people = {
  teacher: { role: 'teacher' as const, user: { sub: 'preview-teacher-77', name: 'Grace Hopper' } },
  testUser: { role: TEST_USER_ROLES, user: { sub: 'preview-testuser-88', name: 'Test Student' } },
  student: { role: 'student' as const, user: { sub: 'real-student-99', name: 'Ada Lovelace' } },
};

let env: ToolAndLms;
const ltik: Record<string, string> = {};
let scope: { tenantId: string; courseId: string };

const statements = (filter: Record<string, unknown>) => mongoose.connection.db!.collection('wf_statements').find(filter).toArray();
const answer = (who: string, item: string, choice: string) =>
  request(env.tool.url).post(`/student/items/${item}/answer`).type('form').send({ ltik: ltik[who], pathway: 'fractions', choice });

before(async () => {
  env = await startToolAndLms({ LABEL: 'preview' });
  const first = await env.launchAs({ ...people.student, course: '2', ...link });
  const session = (await mongoose.connection.db!.collection('wf_launches').findOne({ sub: people.student.user.sub })) as unknown as LaunchContext;
  scope = { tenantId: session.tenantId, courseId: session.courseId };
  await seedDemoContent(scope.tenantId);
  ltik.student = first.ltik;
  for (const who of ['teacher', 'testUser'] as const) {
    const r = await env.launchAs({ ...people[who], course: '2', ...link });
    assert.equal(r.status, 200, r.body.slice(0, 300));
    ltik[who] = r.ltik;
  }
  // Everyone answers the same two items through the player (the grade hook runs for each).
  for (const who of ['student', 'teacher', 'testUser']) {
    assert.equal((await answer(who, 'frac-concept-1', 'a')).status, 200);
    assert.equal((await answer(who, 'frac-concept-1', 'b')).status, 200);
  }
});
after(async () => env?.close());

describe('the preview experience', () => {
  test('a teacher opening a deep-linked activity lands in the player with the banner; so does a test user', async () => {
    for (const who of ['teacher', 'testUser'] as const) {
      const r = await env.launchAs({ ...people[who], course: '2', ...link });
      assert.equal(new URL(r.url).pathname, '/student');
      assert.match(r.body, /Preview — not counted/);
      assert.match(r.body, /Reset my preview/);
    }
    const zh = await env.launchAs({ ...people.teacher, course: '2', ...link, locale: 'zh-Hans' });
    assert.match(zh.body, /预览 — 不计入/);
    const student = await env.launchAs({ ...people.student, course: '2', ...link });
    assert.doesNotMatch(student.body, /Preview — not counted/);
  });

  test('a teacher launch without a deep-linked activity still opens the dashboard', async () => {
    const r = await env.launchAs({ ...people.teacher, course: '2' });
    assert.equal(new URL(r.url).pathname, '/teacher');
  });

  test('a previewer’s own answers count in their preview: progress moves on', async () => {
    const page = await request(env.tool.url).get(`/student?ltik=${encodeURIComponent(ltik.teacher)}`);
    assert.match(page.text, /1 of \d+ done/);
  });

  test('statements are marked preview for teachers and test users only', async () => {
    for (const [who, preview] of [['teacher', true], ['testUser', true], ['student', false]] as const) {
      const mine = await statements({ ...scope, sub: people[who].user.sub, verb: 'answered' });
      assert.equal(mine.length, 2, who);
      assert.ok(mine.every((s) => s.preview === preview), `${who}: preview ${preview}`);
    }
  });
});

describe('preview statements reach no dashboard, grade or training data', () => {
  test('the course overview and learner endpoint leave them out', async () => {
    const teacher = await env.launchAs({ ...people.teacher, course: '2' });
    const overview = await request(env.tool.url).get(`/api/courses/${scope.courseId}/overview`).set('Authorization', `Bearer ${teacher.ltik}`);
    assert.equal(overview.status, 200, overview.text);
    assert.match(overview.text, /real-student-99/);
    assert.doesNotMatch(overview.text, /preview-teacher-77|preview-testuser-88/);
    for (const sub of [people.teacher.user.sub, people.testUser.user.sub]) {
      const learner = await request(env.tool.url).get(`/api/courses/${scope.courseId}/learners/${sub}`).set('Authorization', `Bearer ${teacher.ltik}`);
      assert.equal(learner.status, 404, `${sub}: ${learner.text}`);
    }
  });

  test('grades: previewers are recorded as not sent, and the LMS gradebook never gets their scores', async () => {
    const deadline = Date.now() + 20_000;
    const received = () => env.lms.gradebook('2').received.map((s) => s.score.userId);
    while (!received().includes(people.student.user.sub) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(received().includes(people.student.user.sub), 'the real student’s grade reached the gradebook');
    assert.ok(!received().some((u) => u === people.teacher.user.sub || u === people.testUser.user.sub), 'no preview score reached the LMS');
    const grades = await courseGrades(scope);
    for (const sub of [people.teacher.user.sub, people.testUser.user.sub]) {
      const theirs = grades.filter((g) => g.sub === sub);
      assert.ok(theirs.length > 0 && theirs.every((g) => g.state === 'skipped'), `${sub}: ${JSON.stringify(theirs)}`);
    }
  });

  test('training data holds the real learner only', async () => {
    const data = await datasetFromActivity(scope);
    const learners = new Set(JSON.stringify(data).match(/"learnerId":"[^"]+"/g));
    assert.ok([...learners].some((l) => l.includes(people.student.user.sub)), 'the real learner is in the dataset');
    assert.ok(![...learners].some((l) => /preview-teacher-77|preview-testuser-88/.test(l)), [...learners].join(', '));
  });
});

describe('reset my preview', () => {
  test('removes this previewer’s statements in the course, keeps a preview-reset record and everyone else’s', async () => {
    const before = await statements({ ...scope, sub: people.teacher.user.sub });
    assert.ok(before.length > 2);
    const res = await request(env.tool.url).post('/student/preview/reset').type('form').send({ ltik: ltik.teacher });
    assert.equal(res.status, 303, res.text);
    assert.match(res.headers.location, /^\/student\?ltik=.+&reset=\d+$/);
    const left = await statements({ ...scope, sub: people.teacher.user.sub });
    assert.deepEqual(left.map((s) => s.verb), ['preview-reset']);
    assert.equal(left[0].preview, true);
    assert.equal(left[0].result.extensions.removed, before.length);
    assert.equal((await statements({ ...scope, sub: people.testUser.user.sub, verb: 'answered' })).length, 2, 'another previewer keeps theirs');
    assert.equal((await statements({ ...scope, sub: people.student.user.sub, verb: 'answered' })).length, 2, 'the student keeps theirs');
    const page = await request(env.tool.url).get(res.headers.location);
    assert.match(page.text, /Your preview was reset: \d+ records removed/);
  });

  test('a real student cannot reset (their answers count)', async () => {
    const res = await request(env.tool.url).post('/student/preview/reset').type('form').send({ ltik: ltik.student });
    assert.equal(res.status, 403);
    assert.match(res.text, /only a preview can be reset/);
  });
});
