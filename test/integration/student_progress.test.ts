import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import request from 'supertest';
import { seedDemoContent } from '../../src/content/demo.js';
import type { LaunchContext } from '../../src/lti/session.js';
import { startToolAndLms, type ToolAndLms } from '../support/lti.js';

/** `/student/progress`: the launched learner's own skills, evidence, chart, activity and the reason for Next up. */
const link = { resourceLink: { id: 'rl-fractions', title: 'Fractions' }, custom: { wayfinder_pathway: 'fractions' } };
const ada = { role: 'student' as const, user: { sub: 'ada-progress', name: 'Ada Lovelace', locale: 'en' }, course: '2', ...link };
const li = { role: 'student' as const, user: { sub: 'li-progress', name: 'Li Wei', locale: 'zh-Hans' }, course: '2', ...link, locale: 'zh-Hans' };

let env: ToolAndLms;
const ltik: Record<string, string> = {};

const progress = (who: string, query = '') => request(env.tool.url).get(`/student/progress?ltik=${encodeURIComponent(ltik[who])}${query}`);
const answer = (who: string, item: string, body: Record<string, string>) =>
  request(env.tool.url).post(`/student/items/${item}/answer`).type('form').send({ ltik: ltik[who], pathway: 'fractions', ...body });

before(async () => {
  env = await startToolAndLms({ LABEL: 'student_progress' });
  ltik.ada = (await env.launchAs(ada)).ltik;
  const session = (await mongoose.connection.db!.collection('wf_launches').findOne({ sub: ada.user.sub })) as unknown as LaunchContext;
  await seedDemoContent(session.tenantId);
  ltik.li = (await env.launchAs(li)).ltik;
  ltik.teacher = (await env.launchAs({ role: 'teacher', user: '3', course: '2' })).ltik;
  ltik.otherTeacher = (await env.launchAs({ role: 'teacher', user: '3', course: '3' })).ltik;
  // Ada: two right and one wrong on fraction concepts; Li: one wrong.
  assert.equal((await answer('ada', 'frac-concept-1', { choice: 'a' })).status, 200);
  assert.equal((await answer('ada', 'frac-concept-2', { text: 'numerator' })).status, 200);
  assert.equal((await answer('ada', 'frac-concept-2', { text: 'denominator' })).status, 200);
  assert.equal((await answer('li', 'frac-concept-1', { choice: 'b' })).status, 200);
});
after(async () => env?.close());

describe('a student’s own progress page', () => {
  test('shows skills with their evidence in words and as a chart, recent activity and why Next up', async () => {
    const res = await progress('ada');
    assert.equal(res.status, 200, res.text.slice(0, 400));
    assert.match(res.text, /<h1>My progress<\/h1>/);
    assert.match(res.text, /2 of your last 3 answers right \(2 of 3 in all\)/);
    assert.match(res.text, /<span class="skill-status mastered">Mastered<\/span>/);
    assert.match(res.text, /<span class="skill-status notStarted">Not started<\/span>/, 'skills of the pathway not yet answered are listed too');
    assert.match(res.text, /<svg class="progress-svg"[^>]*role="img" aria-labelledby="chart-title" aria-describedby="chart-desc"/);
    assert.equal((res.text.match(/<rect [^>]*class="ok"/g) ?? []).length, 2);
    assert.equal((res.text.match(/<rect [^>]*class="miss"/g) ?? []).length, 1);
    assert.match(res.text, /Answered “[^”]+” — not right/);
    assert.match(res.text, /<strong>Why:<\/strong> \S/);
    assert.doesNotMatch(res.text, /recommend\.reason\.|progress\./, 'every string is translated');
    assert.doesNotMatch(res.text, /li-progress|Li Wei/, 'nothing of another learner');
  });

  test('in Simplified Chinese for a zh-Hans launch', async () => {
    const res = await progress('li');
    assert.equal(res.status, 200);
    assert.match(res.text, /<html lang="zh-Hans">/);
    assert.match(res.text, /<h1>我的进度<\/h1>/);
    assert.match(res.text, /最近 1 次作答中 0 次正确/);
    assert.match(res.text, /原因：/);
  });

  test('the player links to it', async () => {
    const home = await request(env.tool.url).get(`/student?ltik=${encodeURIComponent(ltik.ada)}`);
    assert.match(home.text, /href="\/student\/progress\?ltik=[^"]+">My progress</);
  });
});

describe('only the launched learner', () => {
  test('another learner’s id is refused with 403, whether or not that learner exists', async () => {
    for (const sub of [li.user.sub, 'nobody-at-all']) {
      const res = await progress('ada', `&sub=${encodeURIComponent(sub)}`);
      assert.equal(res.status, 403, sub);
      assert.match(res.text, /you can see only your own progress/);
      assert.doesNotMatch(res.text, /frac-concept|Li Wei/);
    }
    assert.equal((await progress('ada', `&sub=${ada.user.sub}`)).status, 200, 'naming oneself is fine');
    assert.equal((await request(env.tool.url).get('/student/progress')).status, 401);
  });

  test('a teacher of the course may open a learner’s page; a teacher of another course finds nothing there', async () => {
    const res = await progress('teacher', `&sub=${ada.user.sub}`);
    assert.equal(res.status, 200);
    assert.match(res.text, /Progress of learner ada-progress/);
    assert.match(res.text, /2 of your last 3 answers right/);
    assert.equal((await progress('otherTeacher', `&sub=${ada.user.sub}`)).status, 404);
    assert.equal((await progress('teacher', '&sub=')).status, 400);
  });
});
