import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import mongoose from 'mongoose';
import request from 'supertest';
import {
  courseAggregates,
  eraseLearner,
  lastActivityPerLearner,
  onLearnerErased,
  recordForLaunch,
  type CourseScope,
  type StatementInput,
} from '../../src/activity/index.js';
import { toDocuments } from '../../src/activity/documents.js';
import { learnerRecord } from '../../src/activity/learner_state.js';
import { writeStatements } from '../../src/activity/write.js';
import { runExpiry } from '../../src/db/expiry.js';
import { TEST_ADMIN_TOKEN } from '../support/tool.js';
import { countDocs, namedLaunches, startToolAndLms, type ToolAndLms } from '../support/lti.js';

let env: ToolAndLms;
/** Launch contexts as the tool stored them: tenant A courses 2 and 3, tenant B (deployment 2) course 2. */
const { ltiks, sessions, launch } = namedLaunches(() => env);
const scope = (name: string): CourseScope => ({ tenantId: sessions[name].tenantId, courseId: sessions[name].courseId });
const at = (iso: string) => new Date(iso).toISOString();

before(async () => {
  env = await startToolAndLms({ LABEL: 'activity_reads' });
  const platforms = await request(env.tool.url).get('/api/admin/platforms').set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
  const approve = await request(env.tool.url)
    .post(`/api/admin/platforms/${platforms.body.platforms[0]._id}/approve`)
    .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
    .send({ deploymentIds: ['2'] });
  assert.equal(approve.status, 200, approve.text);
  await launch('ada', { role: 'student', user: '4', course: '2' });
  await launch('li', { role: 'student', user: '5', course: '2' });
  await launch('adaBio', { role: 'student', user: '4', course: '3' });
  await launch('teacher', { role: 'teacher', user: '3', course: '2' });
  await launch('teacherBio', { role: 'teacher', user: '3', course: '3' });
  await launch('adaB', { role: 'student', user: '4', course: '2', deploymentId: '2' });
  await launch('teacherB', { role: 'teacher', user: '3', course: '2', deploymentId: '2' });
  assert.notEqual(sessions.adaB.tenantId, sessions.ada.tenantId, 'deployment 2 is another tenant');

  const answer = (item: string, success: boolean, timestamp: string): StatementInput => ({
    verb: 'answered',
    object: { id: item, kind: 'item' },
    result: { success, score: { scaled: success ? 1 : 0 } },
    timestamp,
  });
  await recordForLaunch(sessions.ada, [
    answer('i1', true, '2024-05-01T10:00:00Z'),
    answer('i2', false, '2024-05-01T10:05:00Z'),
    { verb: 'viewed', object: { id: 'p1', kind: 'pathway' }, timestamp: '2024-05-01T09:59:00Z' },
    answer('i1', true, '2024-05-02T08:00:00Z'),
  ]);
  await recordForLaunch(sessions.li, [answer('i2', true, '2024-05-02T09:00:00Z'), answer('i3', false, '2024-05-02T09:01:00Z')]);
  await recordForLaunch(sessions.adaBio, [answer('bio-1', true, '2024-05-03T09:00:00Z')]);
  await recordForLaunch(sessions.adaB, [answer('i1', false, '2024-05-04T09:00:00Z')]);
  await recordForLaunch(sessions.teacher, [answer('i1', false, '2024-05-05T09:00:00Z')]); // preview
});
after(async () => env.close());

describe('queries', () => {
  test('a learner’s record (their state) is ordered by timestamp, scoped to tenant and course, skills joined', async () => {
    const h = await learnerRecord(scope('ada'), '4', { skillsOf: (item) => (item === 'i1' ? ['linear'] : ['linear', 'fractions']) });
    assert.deepEqual(
      h.map((s) => [s.verb, s.object.id, s.timestamp.toISOString(), s.skills]),
      [
        ['viewed', 'p1', at('2024-05-01T09:59:00Z'), undefined],
        ['answered', 'i1', at('2024-05-01T10:00:00Z'), ['linear']],
        ['answered', 'i2', at('2024-05-01T10:05:00Z'), ['linear', 'fractions']],
        ['answered', 'i1', at('2024-05-02T08:00:00Z'), ['linear']],
      ],
    );
    assert.ok(h.every((s) => s.tenantId === sessions.ada.tenantId && s.courseId === sessions.ada.courseId));
  });

  test('preview statements are left out unless asked for', async () => {
    assert.equal((await learnerRecord(scope('teacher'), '3')).length, 0);
    assert.equal((await learnerRecord(scope('teacher'), '3', { includePreview: true })).length, 1);
  });

  test('per-course aggregates: attempts and success per skill per day, active learners', async () => {
    const a = await courseAggregates(scope('ada'), { skillsOf: (item) => ({ i1: ['linear'], i2: ['linear', 'fractions'], i3: ['fractions'] })[item] ?? [] });
    assert.deepEqual(a.skills, [
      { skill: 'fractions', day: '2024-05-01', attempts: 1, successes: 0, successRate: 0 },
      { skill: 'linear', day: '2024-05-01', attempts: 2, successes: 1, successRate: 0.5 },
      { skill: 'fractions', day: '2024-05-02', attempts: 2, successes: 1, successRate: 0.5 },
      { skill: 'linear', day: '2024-05-02', attempts: 2, successes: 2, successRate: 1 },
    ]);
    assert.deepEqual(a.activeLearners, { total: 2, perDay: [{ day: '2024-05-01', learners: 1 }, { day: '2024-05-02', learners: 2 }] });
    const oneDay = await courseAggregates(scope('ada'), { skillsOf: () => ['all'], fromDay: '2024-05-02', toDay: '2024-05-02' });
    assert.deepEqual(oneDay.skills, [{ skill: 'all', day: '2024-05-02', attempts: 3, successes: 2, successRate: 2 / 3 }]);
  });

  test('last activity per learner', async () => {
    assert.deepEqual(await lastActivityPerLearner(scope('ada')), [
      { sub: '4', at: new Date('2024-05-02T08:00:00Z') },
      { sub: '5', at: new Date('2024-05-02T09:01:00Z') },
    ]);
  });

  test('queries refuse to run without tenant and course', async () => {
    const missing = [{ tenantId: sessions.ada.tenantId }, { courseId: sessions.ada.courseId }, {}] as unknown as CourseScope[];
    for (const s of missing) {
      await assert.rejects(learnerRecord(s, '4'), /need both tenantId and courseId/);
      await assert.rejects(courseAggregates(s), /need both tenantId and courseId/);
      await assert.rejects(lastActivityPerLearner(s), /need both tenantId and courseId/);
    }
    await assert.rejects(eraseLearner('', '4'), /needs both tenantId and sub/);
  });

  test('the same course id of another tenant is another course', async () => {
    const h = await learnerRecord(scope('adaB'), '4');
    assert.deepEqual(h.map((s) => s.timestamp.toISOString()), [at('2024-05-04T09:00:00Z')]);
  });

  test('recordForLaunch validates like the API, naming the index', async () => {
    await assert.rejects(
      recordForLaunch(sessions.ada, [{ verb: 'viewed', object: { id: 'p1', kind: 'pathway' } }, { verb: 'answered', object: { id: '', kind: 'item' } }]),
      /statements: 1\.object\.id: must not be empty/,
    );
  });
});

describe('export', () => {
  const get = (course: string, format: string, who = 'teacher') =>
    request(env.tool.url).get(`/api/courses/${course}/activity/export?format=${format}`).set('Authorization', `Bearer ${ltiks[who]}`).buffer(true);
  const inCourse = async (name: string) =>
    (await mongoose.connection.db!.collection('wf_statements').find({ tenantId: sessions[name].tenantId, courseId: sessions[name].courseId }).toArray()).sort((a, b) =>
      String(a._id).localeCompare(String(b._id)),
    );
  const byId = <T extends { id: string }>(list: T[]) => list.sort((a, b) => a.id.localeCompare(b.id));

  test('ndjson parses back to the stored statements', async () => {
    const res = await get(sessions.teacher.courseId, 'ndjson');
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers['content-type'], /application\/x-ndjson/);
    assert.match(res.headers['content-disposition'], /attachment; filename="activity-c_.*\.ndjson"/);
    const lines = byId(res.text.trim().split('\n').map((l) => JSON.parse(l)));
    const stored = await inCourse('teacher');
    assert.equal(lines.length, stored.length);
    assert.deepEqual(
      lines,
      stored.map(({ _id, timestamp, stored: s, ...rest }) => ({ id: _id, ...rest, timestamp: timestamp.toISOString(), stored: s.toISOString() })),
    );
  });

  test('csv parses back to the stored statements', async () => {
    const res = await get(sessions.teacher.courseId, 'csv');
    assert.equal(res.status, 200);
    const rows = byId(parseCsv(res.text, { columns: true }) as ({ id: string } & Record<string, string>)[]);
    const stored = await inCourse('teacher');
    assert.deepEqual(
      rows.map((r) => [r.id, r.sub, r.verb, r.object_kind, r.object_id, r.success, r.score_scaled, r.timestamp, r.preview, r.tenant_id, r.course_id]),
      stored.map((s) => [s._id, s.sub, s.verb, s.object.kind, s.object.id, String(s.result?.success ?? ''), String(s.result?.score?.scaled ?? ''), s.timestamp.toISOString(), String(s.preview), s.tenantId, s.courseId]),
    );
  });

  test('a response a spreadsheet would run as a formula is defused, and still parses back', async () => {
    const [s] = await recordForLaunch(sessions.li, [{ verb: 'answered', object: { id: 'i9', kind: 'item' }, result: { response: '=HYPERLINK("x","y"), "quoted"\nline' } }]);
    const res = await get(sessions.teacher.courseId, 'csv');
    const row = (parseCsv(res.text, { columns: true }) as Record<string, string>[]).find((r) => r.id === s._id)!;
    assert.equal(row.response, `'=HYPERLINK("x","y"), "quoted"\nline`);
    assert.equal(row.response.replace(/^'(?=[=+\-@\t\r])/, ''), s.result!.response);
  });

  test('xapi is a JSON array of valid xAPI 1.0.3 statements that map back to the stored ones', async () => {
    const res = await get(sessions.teacher.courseId, 'xapi');
    assert.equal(res.status, 200);
    const list = byId(JSON.parse(res.text) as { id: string; [k: string]: unknown }[]);
    const stored = await inCourse('teacher');
    assert.equal(list.length, stored.length);
    const base = env.tool.config.publicUrl;
    list.forEach((x, i) => {
      const s = stored[i];
      const st = x as unknown as {
        actor: { objectType: string; account: { homePage: string; name: string } };
        verb: { id: string; display: Record<string, string> };
        object: { objectType: string; id: string };
        result?: Record<string, unknown>;
        context: { extensions: Record<string, unknown> };
        timestamp: string;
        stored: string;
        version: string;
      };
      assert.equal(x.id, s._id);
      assert.match(x.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.deepEqual(st.actor, { objectType: 'Agent', account: { homePage: s.issuer, name: s.sub } });
      assert.equal(st.verb.display['en-US'], s.verb);
      assert.equal(st.verb.id, s.verb === 'answered' || s.verb === 'completed' ? `http://adlnet.gov/expapi/verbs/${s.verb}` : `${base}/xapi/verbs/${s.verb}`);
      assert.equal(st.object.objectType, 'Activity');
      assert.equal(decodeURIComponent(st.object.id.split('/').at(-1)!), s.object.id);
      assert.equal(st.object.id.split('/').at(-2), s.object.kind);
      assert.deepEqual(st.result, s.result);
      assert.equal(st.context.extensions[`${base}/xapi/extensions/course`], s.courseId);
      assert.equal(st.context.extensions[`${base}/xapi/extensions/tenant`], s.tenantId);
      for (const key of Object.keys(st.context.extensions)) assert.match(key, /^https?:\/\//, 'extension keys are IRIs');
      assert.equal(st.timestamp, s.timestamp.toISOString());
      assert.equal(st.stored, s.stored.toISOString());
      assert.equal(st.version, '1.0.3');
    });
  });

  test('the CLI exports the same statements', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'wf-export-')), 'a.ndjson');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'activity', 'export', '--tenant', sessions.teacher.tenantId, '--course', sessions.teacher.courseId, '--format', 'ndjson', '--out', out],
      { encoding: 'utf8', env: { ...process.env, NODE_ENV: 'test', MONGODB_URI: env.tool.database.uri } },
    );
    assert.equal(r.status, 0, r.stderr);
    const ids = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l).id).sort();
    assert.deepEqual(ids, (await inCourse('teacher')).map((s) => s._id));
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'activity', 'export', '--tenant', 't', '--course', 'c', '--format', 'xml'], {
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'test' },
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--format must be one of ndjson, csv, xapi, got "xml"/);
  });

  test('an unknown format: 400 naming it', async () => {
    const res = await get(sessions.teacher.courseId, 'xml');
    assert.equal(res.status, 400);
    assert.match(res.body.error.message, /format: must be one of ndjson, csv, xapi/);
  });

  test('cross-course, cross-tenant and student exports are refused', async () => {
    assert.equal((await get(sessions.teacherBio.courseId, 'ndjson', 'teacher')).status, 403, 'another course of the same tenant');
    assert.equal((await get(sessions.teacher.courseId, 'ndjson', 'teacherB')).status, 403, 'the same LMS course in another tenant');
    assert.equal((await get(sessions.teacher.courseId, 'ndjson', 'ada')).status, 403, 'a student');
    const anon = await request(env.tool.url).get(`/api/courses/${sessions.teacher.courseId}/activity/export`);
    assert.equal(anon.status, 401);
  });
});

describe('retention and erasure', () => {
  test('statements stored longer ago than RETENTION_DAYS are purged, newer ones kept', async () => {
    // Stored RETENTION_DAYS + 1 days ago (through the write path, so it sits in that day's expiry bucket), and now.
    const days = env.tool.config.retentionDays;
    const [old] = toDocuments(sessions.li, [{ verb: 'viewed', object: { id: 'old', kind: 'item' } }], new Date(Date.now() - (days + 1) * 86_400_000));
    await writeStatements([old]);
    const [fresh] = await recordForLaunch(sessions.li, [{ verb: 'viewed', object: { id: 'fresh', kind: 'item' } }]);
    await runExpiry();
    assert.equal(await countDocs('wf_statements', { _id: old._id }), 0);
    assert.equal(await countDocs('wf_statements', { _id: fresh._id }), 1);
  });

  test('erasing a learner removes all their statements in the tenant, calls hooks, and nothing else', async () => {
    const calls: [string, string][] = [];
    onLearnerErased((t, s) => void calls.push([t, s]));
    const tenant = sessions.ada.tenantId;
    const others = {
      li: await countDocs('wf_statements', { tenantId: tenant, sub: '5' }),
      adaOtherTenant: await countDocs('wf_statements', { tenantId: sessions.adaB.tenantId, sub: '4' }),
      teacher: await countDocs('wf_statements', { sub: '3' }),
    };
    const ada = await countDocs('wf_statements', { tenantId: tenant, sub: '4' });
    assert.ok(ada >= 5 && others.li > 0 && others.adaOtherTenant > 0);

    const refused = await request(env.tool.url).delete(`/api/admin/learners/${tenant}/4`);
    assert.equal(refused.status, 401);
    const res = await request(env.tool.url).delete(`/api/admin/learners/${tenant}/4`).set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { tenantId: tenant, sub: '4', statementsErased: ada });
    assert.deepEqual(calls, [[tenant, '4']]);
    assert.equal(await countDocs('wf_statements', { tenantId: tenant, sub: '4' }), 0);
    assert.deepEqual(
      {
        li: await countDocs('wf_statements', { tenantId: tenant, sub: '5' }),
        adaOtherTenant: await countDocs('wf_statements', { tenantId: sessions.adaB.tenantId, sub: '4' }),
        teacher: await countDocs('wf_statements', { sub: '3' }),
      },
      others,
    );
  });

  test('a failing erasure hook makes the erasure fail visibly (and it can be repeated)', async () => {
    onLearnerErased(() => Promise.reject(new Error('recommender store offline')));
    await assert.rejects(eraseLearner(sessions.li.tenantId, '5'), /1 of \d+ erasure hooks failed/);
    assert.equal(await countDocs('wf_statements', { tenantId: sessions.li.tenantId, sub: '5' }), 0);
  });
});

