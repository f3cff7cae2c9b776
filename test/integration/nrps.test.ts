import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { courseRoster, nextLink } from '../../src/lti/names_roles.js';
import { startToolAndLms, type ToolAndLms } from '../support/lti.js';
import { scopeOf } from './grades_support.js';

let env: ToolAndLms;
before(async () => {
  env = await startToolAndLms({ LABEL: 'nrps' });
  // Course 2 has the five demo people; two more make seven: pages of 3, 3 and 1.
  env.lms.enrol('2', { user: { sub: 'alg-extra-1', name: 'Extra One' }, role: 'student' });
  env.lms.enrol('2', {
    user: { sub: 'alg-extra-2', name: 'Extra Two' },
    role: 'student',
    status: 'Inactive',
  });
  env.lms.enrol('3', { user: { sub: 'bio-only', name: 'Bio Only' }, role: 'student' });
  env.lms.setNrpsPageSize(3);
});
after(async () => env.close());

const memberships = () => env.lms.faults.requests.filter((r) => r.includes('/memberships'));

describe('course roster through NRPS', () => {
  test('pages through Link rel="next" across three pages, with roles and status', async () => {
    const teacher = await env.launchAs({ user: '3', role: 'teacher', course: '2' });
    const before = memberships().length;
    const res = await request(env.tool.url)
      .get(`/api/courses/${scopeOf(env, '2').courseId}/roster?refresh=1`)
      .set('Authorization', `Bearer ${teacher.ltik}`);
    assert.equal(res.status, 200, res.text);
    const calls = memberships().slice(before);
    assert.equal(calls.length, 3, calls.join('\n'));
    assert.match(calls[1], /page=2/);
    assert.match(calls[2], /page=3/);
    const members = res.body.members as { userId: string; role?: string; status: string; roles: string[] }[];
    assert.equal(members.length, 7);
    assert.equal(members.find((m) => m.userId === '3')?.role, 'teacher');
    assert.equal(members.find((m) => m.userId === '4')?.role, 'student');
    assert.equal(members.find((m) => m.userId === 'alg-extra-2')?.status, 'Inactive');
    assert.ok(!members.some((m) => m.userId === 'bio-only'), 'no one from another course');
  });

  test('cached: a second read within the refresh window does not call the LMS', async () => {
    const teacher = await env.launchAs({ user: '3', role: 'teacher', course: '2' });
    const before = memberships().length;
    const roster = await courseRoster({ ...scopeOf(env, '2') });
    assert.equal(roster.available, true);
    assert.equal(roster.members.length, 7);
    const res = await request(env.tool.url)
      .get(`/api/courses/${scopeOf(env, '2').courseId}/roster`)
      .set('Authorization', `Bearer ${teacher.ltik}`);
    assert.equal(res.body.members.length, 7);
    assert.equal(memberships().length, before);
  });

  test('scoped to the course: another course has its own roster, and a teacher cannot read it', async () => {
    const bioTeacher = await env.launchAs({ user: '3', role: 'teacher', course: '3' });
    const bio = await request(env.tool.url)
      .get(`/api/courses/${scopeOf(env, '3').courseId}/roster`)
      .set('Authorization', `Bearer ${bioTeacher.ltik}`);
    assert.equal(bio.status, 200, bio.text);
    const ids = (bio.body.members as { userId: string }[]).map((m) => m.userId);
    assert.ok(ids.includes('bio-only'));
    assert.ok(!ids.includes('alg-extra-1'));
    const cross = await request(env.tool.url)
      .get(`/api/courses/${scopeOf(env, '2').courseId}/roster`)
      .set('Authorization', `Bearer ${bioTeacher.ltik}`);
    assert.equal(cross.status, 403);
  });

  test('the LMS failing: the cached roster is served marked stale; a launch never needs NRPS', async () => {
    const teacher = await env.launchAs({ user: '3', role: 'teacher', course: '2' });
    env.lms.faults.failNext(1, 503, '/memberships');
    const res = await request(env.tool.url)
      .get(`/api/courses/${scopeOf(env, '2').courseId}/roster?refresh=1`)
      .set('Authorization', `Bearer ${teacher.ltik}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.stale, true);
    assert.match(res.body.error, /503/);
    assert.equal(res.body.members.length, 7);
    const noNrps = await env.launchAs({ user: '4', role: 'student', course: '2', nrps: false });
    assert.equal(noNrps.status, 200);
    const none = await courseRoster({
      tenantId: scopeOf(env, '9').tenantId,
      courseId: scopeOf(env, '9').courseId,
    });
    assert.equal(none.available, false);
  });

  test('Link header parsing', () => {
    assert.equal(nextLink('<https://lms/x?page=2>; rel="next"'), 'https://lms/x?page=2');
    assert.equal(
      nextLink('<https://lms/x?page=1>; rel="prev", <https://lms/x?page=3>; rel="next"'),
      'https://lms/x?page=3',
    );
    assert.equal(nextLink('<https://lms/x>; rel="differences"'), undefined);
    assert.equal(nextLink(null), undefined);
  });
});
