import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import request from 'supertest';
import type { LaunchContext } from '../../src/lti/session.js';
import { bankFile, canvasZip } from '../support/banks.js';
import { startToolAndLms, type ToolAndLms } from '../support/lti.js';

/** POST /api/courses/:course/content/import: preview, import, the recommender serving the new items at once, refusals. */
let env: ToolAndLms;
let course: string;
const ltik: Record<string, string> = {};
const b64 = (b: Buffer) => b.toString('base64');
const api = (body: Record<string, unknown>, who = 'teacher', c = course) =>
  request(env.tool.url).post(`/api/courses/${c}/content/import`).set('Authorization', `Bearer ${ltik[who]}`).send(body);

before(async () => {
  env = await startToolAndLms({ LABEL: 'formats_api' });
  ltik.teacher = (await env.launchAs({ role: 'teacher', user: { sub: 'fa-teacher', name: 'Grace Hopper' }, course: '2' })).ltik;
  const session = (await mongoose.connection.db!.collection('wf_launches').findOne({ sub: 'fa-teacher' })) as unknown as LaunchContext;
  course = session.courseId;
  ltik.other = (await env.launchAs({ role: 'teacher', user: { sub: 'fa-teacher', name: 'Grace Hopper' }, course: '3' })).ltik;
  ltik.student = (await env.launchAs({ role: 'student', user: { sub: 'fa-student', name: 'Ada' }, course: '2' })).ltik;
});
after(async () => env?.close());

describe('question bank import through the JSON API', () => {
  test('a dry run previews what is created and skipped, and why, storing nothing', async () => {
    const r = await api({ file: b64(bankFile('moodle.gift')), fileName: 'fractions.txt', dryRun: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.format, 'gift');
    assert.equal(r.body.versionId, undefined);
    assert.equal(r.body.counts.created, 7);
    assert.deepEqual(r.body.skipped.map((s: { reason: { code: string } }) => s.reason.code), ['partial_answers', 'unsupported_type']);
    assert.equal(await mongoose.connection.db!.collection('wf_content_pointers').countDocuments({ courseId: course }), 0);
  });

  test('an import with renamed and merged skills is served by the recommender at once', async () => {
    const r = await api({ file: b64(canvasZip()), fileName: 'export.zip', skillNames: { 'Circles 圆': 'Circles' } });
    assert.equal(r.status, 201, r.text);
    assert.ok(r.body.versionId);
    assert.deepEqual(r.body.skills.map((s: { name: string }) => s.name), ['Circles']);
    const pathway = r.body.pathways[0].id as string;
    // A student opening the imported quiz gets one of its items as Next up, though nobody has answered any yet.
    const link = { resourceLink: { id: 'rl-circles', title: 'Circles' }, custom: { wayfinder_pathway: pathway } };
    const launched = await env.launchAs({ role: 'student', user: { sub: 'fa-student', name: 'Ada' }, course: '2', ...link });
    const page = await request(env.tool.url).get(`/student?ltik=${encodeURIComponent(launched.ltik)}`);
    assert.equal(page.status, 200);
    const next = /class="next-title"><a href="\/student\/items\/([^?"]+)\?/.exec(page.text)?.[1];
    assert.ok(next && r.body.created.some((c: { id: string }) => c.id === next), `Next up is ${next}: ${page.text.slice(0, 500)}`);
    // The imported multiple-answer item scores as Canvas does: 2 of 3 right, no wrong pick → partial.
    const parts = r.body.created.find((c: { title: string }) => c.title === 'Parts of a circle').id as string;
    const answer = await request(env.tool.url).post(`/student/items/${parts}/answer`).type('form').send({ ltik: launched.ltik, pathway, choice: ['a', 'b'] });
    assert.equal(answer.status, 200);
    const statement = await mongoose.connection.db!.collection('wf_statements').findOne({ 'object.id': parts, verb: 'answered' });
    assert.ok(statement, 'the answer was recorded');
    assert.equal((statement as unknown as { result: { score: { scaled: number }; success: boolean } }).result.success, false);
    assert.ok(Math.abs((statement as unknown as { result: { score: { scaled: number } } }).result.score.scaled - 2 / 3) < 1e-9);
  });

  test('a bad file is refused whole with each problem and its place; nothing changes', async () => {
    const before = await mongoose.connection.db!.collection('wf_content_versions').countDocuments({ courseId: course });
    const r = await api({ file: b64(bankFile('moodle.xml').subarray(0, 5000)) });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'VALIDATION_FAILED');
    assert.match(r.body.error.problems[0].place, /^file, line \d+$/);
    const notQti = await api({ file: b64(Buffer.from('PK\u0003\u0004 not a zip at all')) });
    assert.equal(notQti.status, 400);
    assert.match(notQti.body.error.message, /zip/);
    assert.equal(await mongoose.connection.db!.collection('wf_content_versions').countDocuments({ courseId: course }), before);
  });

  test('input is validated; only the course\'s own teachers may import', async () => {
    assert.equal((await api({ file: 'not base64!' })).status, 400);
    assert.equal((await api({ file: b64(bankFile('moodle.gift')), format: 'docx' })).status, 400);
    assert.equal((await api({ file: b64(bankFile('moodle.gift')), extra: 1 })).status, 400);
    assert.equal((await api({ file: b64(bankFile('moodle.gift')) }, 'student')).status, 403);
    assert.equal((await api({ file: b64(bankFile('moodle.gift')) }, 'other')).status, 403, 'a teacher of another course');
    assert.equal((await request(env.tool.url).post(`/api/courses/${course}/content/import`).send({ file: 'x' })).status, 401);
  });
});
