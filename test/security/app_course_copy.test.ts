// Issue 14, finding 8 (Medium) — course copy leaked another course's content: a custom parameter
// naming a pathway only course B had copied B's whole content, answer keys included, into course
// A. Now only the courses the platform names in the launch's `context_id_history` are copied from.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { courseCopies } from '../../src/content/course_copy.js';
import { importContent } from '../../src/content/import.js';
import { scopeContent } from '../../src/content/store.js';
import { courseId, tenantId } from '../../src/lti/tenancy.js';
import { startToolAndLms, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID, type ToolAndLms } from '../support/lti.js';

const CONTEXT = 'https://purl.imsglobal.org/spec/lti/claim/context';
const owner = { id: 'sec-cc-owner', title: 'The course with the content' };
let env: ToolAndLms;
let tenant: string;
const scopeOf = (course: string) => ({ tenantId: tenant, courseId: courseId(tenant, course) });

before(async () => {
  env = await startToolAndLms({ LABEL: 'app_course_copy' });
  tenant = tenantId(env.lms.issuer, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID);
  const content = {
    format: 'wayfinder-content/1',
    skills: [{ id: 'sec-cc', name: 'Secret skill' }],
    items: [{ id: 'sec-cc-1', title: 'Exam question', type: 'numeric', body: 'What is 6 × 7?', skills: ['sec-cc'], answer: { value: 42 } }],
    pathways: [{ id: 'sec-cc-path', title: 'The final exam', skills: ['sec-cc'], items: ['sec-cc-1'] }],
  };
  await importContent(JSON.stringify(content), 'json', scopeOf(owner.id), 'owner course');
});
after(async () => env.close());

describe('finding 8: a course gets another course’s content only through context_id_history', () => {
  test('a link naming another course’s pathway or item copies nothing and opens nothing', async () => {
    const attacker = { id: 'sec-cc-attacker', title: 'Someone else’s course' };
    for (const custom of [{ wayfinder_pathway: 'sec-cc-path' }, { wayfinder_item: 'sec-cc-1' }] as Record<string, string>[]) {
      for (const role of ['teacher', 'student'] as const) {
        const r = await env.launchAs({ role, user: role === 'teacher' ? '3' : '4', course: attacker, custom });
        assert.equal(r.status, 404, `${role} ${JSON.stringify(custom)}: ${r.body.slice(0, 300)}`);
        assert.match(r.body, /This activity cannot be found/);
        assert.doesNotMatch(r.body, /The final exam|Exam question/);
      }
    }
    assert.deepEqual(await courseCopies(scopeOf(attacker.id)), []);
    const theirs = await scopeContent(scopeOf(attacker.id));
    assert.deepEqual([theirs.skills.length, theirs.items.length, theirs.pathways.length], [0, 0, 0], 'no record (and no answer key) reached the course');
  });

  test('the legitimate path: a course copied in the LMS (context_id_history) gets the content', async () => {
    const copy = { id: 'sec-cc-copy', title: 'The course, next term' };
    const claims = { [CONTEXT]: { id: copy.id, title: copy.title, type: ['CourseSection'], context_id_history: [owner.id] } };
    const r = await env.launchAs({ role: 'student', user: '4', course: copy, custom: { wayfinder_pathway: 'sec-cc-path' }, claims });
    assert.equal(r.status, 200, r.body.slice(0, 300));
    assert.match(r.body, /The final exam/);
    const [record] = await courseCopies(scopeOf(copy.id));
    assert.equal(record.sourceCourseId, courseId(tenant, owner.id));
    assert.equal(record.via, 'context_id_history');
  });
});
