import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { recordForLaunch, type StatementInput } from '../../src/activity/index.js';
import { findPathway } from '../../src/content/catalog.js';
import { seedDemoContent } from '../../src/content/demo.js';
import { namedLaunches, startToolAndLms, type ToolAndLms } from '../support/lti.js';

let env: ToolAndLms;
const { ltiks, sessions, launch } = namedLaunches(() => env);

const answer = (item: string, success: boolean, minutesAgo: number, recommendationId?: string): StatementInput => ({
  verb: 'answered',
  object: { id: item, kind: 'item' },
  result: { success },
  timestamp: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
  ...(recommendationId ? { context: { recommendationId } } : {}),
});
/** Page assertions that name the pattern, not the whole page. */
const has = (text: string, re: RegExp) => assert.ok(re.test(text), `the page shows ${re}: ${text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 600)}`);
const lacks = (text: string, re: RegExp) => assert.ok(!re.test(text), `the page does not show ${re}`);
const get = (path: string, who: string) => request(env.tool.url).get(`${path}${path.includes('?') ? '&' : '?'}ltik=${encodeURIComponent(ltiks[who])}`);

before(async () => {
  env = await startToolAndLms({ LABEL: 'dashboard_teacher' });
  await launch('ada', { role: 'student', user: '4', course: '2' });
  await launch('li', { role: 'student', user: '5', course: '2' });
  await launch('teacher', { role: 'teacher', user: '3', course: '2' });
  await launch('teacherZh', { role: 'teacher', user: '3', course: '2', locale: 'zh-Hans' });
  await launch('teacherBio', { role: 'teacher', user: '3', course: '3' });
  await seedDemoContent(sessions.ada.tenantId);
  // Ada: three wrong in a row on add-sub (stuck), a recommendation shown, followed and answered.
  await recordForLaunch(sessions.ada, [
    answer('add-sub-1', false, 50),
    answer('add-sub-2', false, 40),
    answer('add-sub-3', false, 30),
    {
      verb: 'recommendation-shown',
      object: { id: 'mult-1', kind: 'item' },
      context: { recommendationId: 'rec-1', extensions: { reason: { key: 'player.reason.notYetDone' }, predictedSuccess: 0.7 } },
      timestamp: new Date(Date.now() - 20 * 60_000).toISOString(),
    },
    { verb: 'recommendation-followed', object: { id: 'mult-1', kind: 'item' }, context: { recommendationId: 'rec-1' }, timestamp: new Date(Date.now() - 19 * 60_000).toISOString() },
    answer('mult-1', true, 18, 'rec-1'),
  ]);
  // Li masters mult.
  await recordForLaunch(sessions.li, [answer('mult-1', true, 15), answer('mult-2', true, 14), answer('mult-3', true, 13)]);
  // The teacher's own answers are previews: never on the dashboard.
  await recordForLaunch(sessions.teacher, [answer('div-1', false, 5)]);
});
after(async () => env?.close());

describe('course overview', () => {
  test('shows learners × skills, who is stuck and why, activity and recommendation outcomes', async () => {
    const res = await get('/teacher', 'teacher');
    assert.equal(res.status, 200, res.text.slice(0, 500));
    has(res.text, /Course overview/);
    has(res.text, /Ada Lovelace/); // names come from the LMS's roster (NRPS)
    has(res.text, /Li Wei/);
    lacks(res.text, /Grace Hopper/); // the teacher’s preview is left out
    has(res.text, /3 wrong answers in a row on Addition and subtraction|3 wrong answers in a row on/);
    has(res.text, /followed 1 of 1 recommendations \(100%\)/);
    has(res.text, /<td class="h5">✓<\/td>/);
    has(res.text, /<svg class="chart"[^>]*role="img"/);
    const same = await get(`/teacher/courses/${sessions.teacher.courseId}`, 'teacher');
    assert.equal(same.status, 200);
    has(res.text, /<form id="open-learner" method="get"/);
    assert.equal(res.text.split(ltiks.teacher).length - 1, 5, 'the ltik appears once in the learner form and in the four nav links');
    const viaForm = await get(`/teacher/courses/${sessions.teacher.courseId}/learners?sub=4`, 'teacher');
    assert.equal(viaForm.status, 200);
  });

  test('renders in Simplified Chinese for a launch in zh-Hans', async () => {
    const res = await get('/teacher', 'teacherZh');
    assert.equal(res.status, 200);
    has(res.text, /<html lang="zh-Hans">/);
    has(res.text, /各学生各技能的掌握情况/);
    has(res.text, /连续答错 3 次/);
  });

  test('the JSON overview matches the page', async () => {
    const res = await get(`/api/courses/${sessions.teacher.courseId}/overview`, 'teacher');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.learners.map((l: { sub: string }) => l.sub), ['4', '5']);
    assert.equal(res.body.recommendations.followed, 1);
    assert.equal(res.body.recommendations.correct, 1);
    const ada = res.body.learners.find((l: { sub: string }) => l.sub === '4');
    assert.equal(ada.stuck[0].key, 'dashboard.stuck.wrongStreak');
  });
});

describe('learner drill-down', () => {
  test('timeline, observed mastery, recommendations with reasons, grade sync state', async () => {
    const res = await get(`/teacher/courses/${sessions.teacher.courseId}/learners/4`, 'teacher');
    assert.equal(res.status, 200, res.text.slice(0, 500));
    has(res.text, /Why this learner may be stuck/);
    has(res.text, /Reason:/);
    has(res.text, /predicted chance of success 70%/);
    has(res.text, /followed · correct/);
    has(res.text, /0 of the last 3 correct/);
    has(res.text, /Grade sync/);
    const json = await get(`/api/courses/${sessions.teacher.courseId}/learners/4`, 'teacher');
    assert.equal(json.status, 200);
    assert.equal(json.body.recommendations[0].outcome, 'correct');
    const retry = await request(env.tool.url).post(`/teacher/courses/${sessions.teacher.courseId}/learners/4/grades/retry`).type('form').send({ ltik: ltiks.teacher });
    assert.equal(retry.status, 303);
    assert.match(retry.headers.location, /retried=0#grades$/);
    const nobody = await get(`/teacher/courses/${sessions.teacher.courseId}/learners/nobody`, 'teacher');
    assert.equal(nobody.status, 404);
  });
});

describe('roster', () => {
  test('the course roster from the LMS (NRPS), learners linked to their drill-down', async () => {
    const res = await get(`/teacher/courses/${sessions.teacher.courseId}/roster`, 'teacher');
    assert.equal(res.status, 200);
    has(res.text, /Ada Lovelace/);
    has(res.text, /<button class="link" form="open-learner" name="sub" value="4">/);
    const overview = await get('/teacher', 'teacher');
    has(overview.text, /Ada Lovelace<\/button>/);
  });
});

describe('pathway settings', () => {
  test('a teacher changes the mastery threshold and difficulty target of a pathway for their course only', async () => {
    const page = await get(`/teacher/courses/${sessions.teacher.courseId}/settings`, 'teacher');
    assert.equal(page.status, 200);
    has(page.text, /Mastery threshold/);
    const bad = await request(env.tool.url)
      .post(`/teacher/courses/${sessions.teacher.courseId}/settings`)
      .type('form')
      .send({ ltik: ltiks.teacher, pathway: 'arithmetic', masteryPct: '120', difficultyPct: '70' });
    assert.equal(bad.status, 400);
    has(bad.text, /must be at most 100/);
    const ok = await request(env.tool.url)
      .post(`/teacher/courses/${sessions.teacher.courseId}/settings`)
      .type('form')
      .send({ ltik: ltiks.teacher, pathway: 'arithmetic', masteryPct: '90', difficultyPct: '65' });
    assert.equal(ok.status, 303, ok.text);
    const scope = { tenantId: sessions.teacher.tenantId, courseId: sessions.teacher.courseId };
    assert.deepEqual((await findPathway(scope, 'arithmetic'))?.settings, { masteryThreshold: 0.9, difficultyTarget: 0.65 });
    const other = { tenantId: sessions.teacherBio.tenantId, courseId: sessions.teacherBio.courseId };
    assert.deepEqual((await findPathway(other, 'arithmetic'))?.settings, { masteryThreshold: 0.8, difficultyTarget: 0.7 }, 'another course keeps the shared settings');
  });
});

describe('access', () => {
  test('a teacher of course A gets 403 on course B’s pages and JSON', async () => {
    const courseA = sessions.teacher.courseId;
    for (const path of [
      `/teacher/courses/${courseA}`,
      `/teacher/courses/${courseA}/learners/4`,
      `/teacher/courses/${courseA}/settings`,
      `/teacher/courses/${courseA}/roster`,
      `/api/courses/${courseA}/overview`,
      `/api/courses/${courseA}/learners/4`,
    ]) {
      const res = await get(path, 'teacherBio');
      assert.equal(res.status, 403, path);
    }
    const post = await request(env.tool.url)
      .post(`/teacher/courses/${courseA}/settings`)
      .type('form')
      .send({ ltik: ltiks.teacherBio, pathway: 'arithmetic', masteryPct: '60', difficultyPct: '60' });
    assert.equal(post.status, 403);
    const json = await get(`/api/courses/${courseA}/overview`, 'teacherBio');
    assert.equal(json.body.error.code, 'FORBIDDEN');
  });

  test('a student gets 403 on every teacher page', async () => {
    const course = sessions.ada.courseId;
    for (const path of ['/teacher', `/teacher/courses/${course}`, `/teacher/courses/${course}/learners/4`, `/teacher/courses/${course}/settings`, `/teacher/courses/${course}/roster`, `/api/courses/${course}/overview`, `/api/courses/${course}/learners/4`, '/teacher/content']) {
      const res = await get(path, 'ada');
      assert.equal(res.status, 403, path);
    }
  });

  test('no launch, no page', async () => {
    assert.equal((await request(env.tool.url).get('/teacher')).status, 401);
  });
});
