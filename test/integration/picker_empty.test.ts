import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { seedDemoContent } from '../../src/content/demo.js';
import { tenantId } from '../../src/lti/tenancy.js';
import { namedLaunches, startToolAndLms, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID, type ToolAndLms } from '../support/lti.js';
import { settled } from './grades_support.js';

/** What a teacher sees when there is nothing to pick, and when no grade failed (issue 15's smaller points). */
let env: ToolAndLms;
before(async () => {
  env = await startToolAndLms({ LABEL: 'picker_empty' });
  env.tool.grades.options.pollMs = 50;
});
after(async () => env.close());
const { ltiks, sessions, launch } = namedLaunches(() => env);

describe('a course without content, and grades without failures', () => {
  for (const [locale, empty, link] of [
    ['en', /This course has no Wayfinder content yet/, /Import content for this course/],
    ['zh-Hans', /本课程还没有 Wayfinder 内容/, /为本课程导入内容/],
  ] as const) {
    test(`the picker says the course has no content yet and links to the import page (${locale})`, async () => {
      const r = await env.launchAs({ role: 'teacher', messageType: 'LtiDeepLinkingRequest', locale });
      assert.equal(new URL(r.url).pathname, '/teacher/deep-link');
      assert.match(r.body, empty);
      assert.match(r.body, link);
      assert.match(r.body, /href="\/teacher\/content\?ltik=/);
      assert.doesNotMatch(r.body, /No pathway matches|没有符合/);
    });
  }

  test('"Send failed grades again" shows only when a grade failed', async () => {
    await seedDemoContent(tenantId(env.lms.issuer, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID));
    await launch('teacher', { user: '3', role: 'teacher' });
    const custom = { wayfinder_pathway: 'algebra-readiness' };
    const page = async (sub: string) => {
      const res = await fetch(`${env.tool.url}/teacher/courses/${sessions.teacher.courseId}/learners/${sub}?ltik=${encodeURIComponent(ltiks.teacher)}`);
      const html = await res.text();
      assert.equal(res.status, 200, html.slice(0, 300));
      return html;
    };
    for (const [sub, fails] of [['4', false], ['5', true]] as const) {
      if (fails) env.lms.faults.failNext(1, 422, '/scores', 'locked');
      const { ltik } = await env.launchAs({ user: sub, role: 'student', custom });
      const res = await fetch(`${env.tool.url}/student/items/add-sub-1/answer`, { method: 'POST', body: new URLSearchParams({ ltik, pathway: 'algebra-readiness', text: '49' }) });
      assert.equal(res.status, 200);
      await settled(env, sub, undefined);
      const html = await page(sub);
      assert.match(html, fails ? /grade-failed/ : /grade-sent/);
      if (fails) assert.match(html, /Send failed grades again/);
      else assert.doesNotMatch(html, /Send failed grades again/);
    }
  });
});
