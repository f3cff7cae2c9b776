import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mongoose from 'mongoose';
import request from 'supertest';
import { seedDemoContent } from '../../src/content/demo.js';
import { onNonIdFilter, type NonIdFilter } from '../../src/db/request_reads.js';
import type { LaunchContext } from '../../src/lti/session.js';
import { startToolAndLms, type ToolAndLms } from '../support/lti.js';

/**
 * Request paths read by `_id` only (FerretDB v1 scans the whole collection for any other filter,
 * so any other read slows down as the database grows): the student page, item page, answer →
 * feedback with next up and the grade, progress, the teacher overview and drill-down with "Send
 * failed grades again", and the LTI login and launch (resource link and deep linking; ltijs's
 * documents are keyed by lti/contrib/ltijs_keyed_database.ts) issue no other filter once their
 * caches are warm — the grade outbox worker an answer wakes included (due entries and slot logs).
 * There are no exceptions: any other filter fails the test, named by route, collection and fields.
 */
const link = { resourceLink: { id: 'rl-reads', title: 'Fractions' }, custom: { wayfinder_pathway: 'fractions' } };
const student = { role: 'student' as const, user: { sub: 'ada-reads', name: 'Ada' }, course: '2', ...link };

let env: ToolAndLms;
let ltik = '';
let teacherLtik = '';
let courseId = '';

before(async () => {
  env = await startToolAndLms({ LABEL: 'request_reads' });
  ltik = (await env.launchAs(student)).ltik;
  const session = (await mongoose.connection.db!.collection('wf_launches').findOne({ sub: student.user.sub })) as unknown as LaunchContext;
  courseId = session.courseId;
  await seedDemoContent(session.tenantId);
  teacherLtik = (await env.launchAs({ role: 'teacher', user: '3', course: '2', nrps: false })).ltik;
});
after(async () => env?.close());

const paths = () => {
  const q = (l: string) => `ltik=${encodeURIComponent(l)}`;
  return [
    () => request(env.tool.url).get(`/student?${q(ltik)}`),
    () => request(env.tool.url).get(`/student/items/frac-concept-1?pathway=fractions&${q(ltik)}`),
    () => request(env.tool.url).post('/student/items/frac-concept-1/answer').type('form').send({ ltik, pathway: 'fractions', choice: 'a' }),
    () => request(env.tool.url).post('/student/items/frac-concept-2/answer').type('form').send({ ltik, pathway: 'fractions', text: 'numerator' }),
    () => request(env.tool.url).get(`/student/progress?${q(ltik)}`),
    () => request(env.tool.url).get(`/teacher?${q(teacherLtik)}`),
    () => request(env.tool.url).get(`/teacher/courses/${courseId}/learners/${student.user.sub}?${q(teacherLtik)}`),
    () => request(env.tool.url).get(`/api/courses/${courseId}/learners/${student.user.sub}?${q(teacherLtik)}`),
    // "Send failed grades again" answers with a redirect back to the drill-down.
    async () => ({ ...(await request(env.tool.url).post(`/teacher/courses/${courseId}/learners/${student.user.sub}/grades/retry`).type('form').send({ ltik: teacherLtik })), status: 200 }),
    // The OIDC login and the launch (the LMS drives both requests to the tool), and a deep-linking launch.
    async () => { const r = await env.launchAs(student); return { status: r.status, text: r.body }; },
    async () => { const r = await env.launchAs({ role: 'teacher', user: '3', course: '2', messageType: 'LtiDeepLinkingRequest' }); return { status: r.status, text: r.body }; },
  ];
};

test('the student and teacher request paths filter only by _id', async () => {
  for (const p of paths()) assert.equal((await p()).status, 200); // warm-up: content versions, models, caches
  const seen: NonIdFilter[] = [];
  const stop = onNonIdFilter((f) => seen.push(f));
  try {
    for (const p of paths()) {
      const res = await p();
      assert.equal(res.status, 200, res.text.slice(0, 300));
    }
  } finally {
    stop();
  }
  const shape = (f: NonIdFilter) => `${f.command} ${f.collection} by {${f.fields.join(', ')}}`;
  const described = seen.map((f) => `${f.route}: ${shape(f)}`);
  assert.deepEqual([...new Set(described)], []);
});

test('the guard sees a filter that is not an _id read', async () => {
  const seen: NonIdFilter[] = [];
  const stop = onNonIdFilter((f) => seen.push(f));
  try {
    // The activity export is a background-style scan by design: it streams the course.
    const res = await request(env.tool.url).get(`/api/courses/${courseId}/activity/export?${`ltik=${encodeURIComponent(teacherLtik)}`}`);
    assert.equal(res.status, 200);
  } finally {
    stop();
  }
  assert.ok(
    seen.some((f) => f.collection === 'wf_statements' && f.command === 'find' && f.fields.includes('courseId')),
    JSON.stringify(seen),
  );
});
