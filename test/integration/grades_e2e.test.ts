import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { TEST_ADMIN_TOKEN } from '../support/tool.js';
import type { ToolAndLms } from '../support/lti.js';
import { COURSE, gradeOf, scopeOf, startGradedDemo, until } from './grades_support.js';

let env: ToolAndLms;
const custom = { wayfinder_pathway: 'algebra-readiness', wayfinder_grading: 'points' };
before(async () => {
  env = await startGradedDemo('grades_e2e');
});
after(async () => env.close());

async function answer(ltik: string, itemId: string, text: string) {
  const res = await fetch(`${env.tool.url}/student/items/${itemId}/answer`, {
    method: 'POST',
    body: new URLSearchParams({ ltik, pathway: 'algebra-readiness', text }),
  });
  assert.equal(res.status, 200, (await res.text()).slice(0, 300));
}

const lmsResult = (sub: string) =>
  env.lms.gradebook(COURSE).results.find((r) => r.lineItemId === `default-${COURSE}` && r.userId === sub);

describe('grades end to end through the player and the dev LMS', () => {
  test('a student answers in the player → the grade appears in the LMS gradebook', async () => {
    const ada = await env.launchAs({ user: '4', role: 'student', custom });
    await answer(ada.ltik, 'add-sub-1', '49');
    const result = await until('Ada’s grade in the LMS', async () => lmsResult('4'));
    assert.equal(result.resultScore, 100, 'one attempted item, answered right: full points');
    assert.equal(result.activityProgress, 'InProgress');

    await answer(ada.ltik, 'add-sub-2', '12');
    await until('the new grade in the LMS', async () => lmsResult('4')?.resultScore === 50);
    const page = await (await fetch(`${env.lms.url}/dev/lms/gradebook?course=${COURSE}`)).text();
    assert.match(page, /Ada Lovelace/);
    assert.match(page, />50</);
  });

  test('a teacher previewing gets no grade sent, and it shows as skipped', async () => {
    const grace = await env.launchAs({ user: '3', role: 'teacher', custom });
    await answer(grace.ltik, 'add-sub-1', '49');
    const row = await until('the preview grade to be recorded', async () => gradeOf(env, '3'));
    assert.equal(row.state, 'skipped');
    assert.match(row.reason ?? '', /preview as teacher/);
    assert.equal(lmsResult('3'), undefined);
  });

  test('an LMS test user (Student View) gets no grade sent', async () => {
    const testUser = await env.launchAs({
      user: { sub: 'student-view-1', name: 'Test Student' },
      role: [
        'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
        'http://purl.imsglobal.org/vocab/lti/system/person#TestUser',
      ],
      custom,
    });
    await answer(testUser.ltik, 'add-sub-1', '49');
    const row = await until('the test user’s grade to be recorded', async () =>
      gradeOf(env, 'student-view-1'),
    );
    assert.equal(row.state, 'skipped');
    assert.match(row.reason ?? '', /test user/);
    assert.equal(lmsResult('student-view-1'), undefined);
  });

  test('teachers see grades per learner, retry a failure; others are refused', async () => {
    const teacher = await env.launchAs({ user: '3', role: 'teacher' });
    const course = scopeOf(env).courseId;
    const li = await env.launchAs({ user: '5', role: 'student', custom });
    env.lms.faults.failNext(1, 400, '/scores', 'the gradebook is locked');
    await answer(li.ltik, 'add-sub-1', '49');
    await until('Li’s grade to fail', async () => (await gradeOf(env, '5'))?.state === 'failed');
    await until('Ada’s grade to be recorded as sent', async () => (await gradeOf(env, '4'))?.state === 'sent');

    const list = await request(env.tool.url)
      .get(`/api/courses/${course}/grades`)
      .set('Authorization', `Bearer ${teacher.ltik}`);
    assert.equal(list.status, 200, list.text);
    const rows = list.body.grades as {
      sub: string;
      state: string;
      reason?: string;
      lastSent?: { given: number };
    }[];
    assert.equal(rows.find((g) => g.sub === '4')?.state, 'sent');
    assert.equal(rows.find((g) => g.sub === '4')?.lastSent?.given, 50);
    const li5 = rows.find((g) => g.sub === '5');
    assert.equal(li5?.state, 'failed');
    assert.match(li5?.reason ?? '', /the gradebook is locked/);

    const retry = await request(env.tool.url)
      .post(`/api/courses/${course}/grades/5/retry`)
      .set('Authorization', `Bearer ${teacher.ltik}`);
    assert.equal(retry.status, 202, retry.text);
    assert.equal(retry.body.queued, 1);
    await until('Li’s grade to arrive after the retry', async () => lmsResult('5')?.resultScore === 100);
    // The LMS holds the score a moment before the worker records its answer.
    await until('Li’s grade to be recorded as sent', async () => (await gradeOf(env, '5'))?.state === 'sent');

    const other = await request(env.tool.url)
      .get('/api/courses/c_someoneelse/grades')
      .set('Authorization', `Bearer ${teacher.ltik}`);
    assert.equal(other.status, 403);
    assert.match(other.body.error.message, /only the course you opened/);
    const student = await request(env.tool.url)
      .get(`/api/courses/${course}/grades`)
      .set('Authorization', `Bearer ${li.ltik}`);
    assert.equal(student.status, 403);
    const unknown = await request(env.tool.url)
      .post(`/api/courses/${course}/grades/nobody/retry`)
      .set('Authorization', `Bearer ${teacher.ltik}`);
    assert.equal(unknown.status, 404);

    const summary = await request(env.tool.url)
      .get('/api/admin/grades/summary')
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
    assert.equal(summary.status, 200, summary.text);
    assert.equal(typeof summary.body.pending, 'number');
    assert.equal(typeof summary.body.failed, 'number');
    assert.equal((await request(env.tool.url).get('/api/admin/grades/summary')).status, 401);
  });
});
