// Issue 14, finding 4 (High) — Markdown froze the process: an item body of `'[a](' × 1500`
// (6 KB) took marked 15 s at import and 11.6 s on every student view, blocking /healthz. Now
// Markdown is rendered once at import in a time-boxed worker after a nesting check, the sanitised
// HTML is stored with the content version, pages only read it, and a migration renders what
// older versions stored.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import request from 'supertest';
import { setFieldTimeLimit } from '../../src/content/rendering.js';
import { migrations } from '../../src/db/migrations.js';
import { courseId, tenantId } from '../../src/lti/tenancy.js';
import { startToolAndLms, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID, type ToolAndLms } from '../support/lti.js';

let env: ToolAndLms;
before(async () => {
  env = await startToolAndLms({ LABEL: 'app_markdown' });
});
after(async () => env.close());

const HOSTILE = '[a]('.repeat(1500);
const file = (body: string, id = 'md-1') => ({
  format: 'wayfinder-content/1',
  skills: [{ id: 'md', name: 'Markdown' }],
  items: [{ id, title: 'Read me', type: 'reading', body, skills: ['md'], hints: ['A *hint*'] }],
  pathways: [{ id: 'md-path', title: 'Markdown', skills: ['md'], items: [id] }],
});
const entries = () => mongoose.connection.db!.collection('wf_content_entries');
const bundles = () => mongoose.connection.db!.collection<{ _id: string; records: string }>('wf_content_bundles');

async function upload(course: string, content: unknown) {
  const teacher = await env.launchAs({ role: 'teacher', user: '3', course: { id: course } });
  return request(env.tool.url).post('/teacher/content').type('form').send({ ltik: teacher.ltik, format: 'json', content: JSON.stringify(content) });
}
const studentView = (course: string, item: string) => env.launchAs({ role: 'student', user: '4', course: { id: course }, custom: { wayfinder_item: item } });

describe('finding 4: hostile Markdown cannot freeze the process', () => {
  test('the 6 KB `[a](` body is refused at import, naming the field, and the server keeps answering', async () => {
    const res = await upload('md-hostile', file(HOSTILE));
    assert.equal(res.status, 422, res.text.slice(0, 300));
    assert.match(res.text, /items\[0\] \(id &quot;md-1&quot;\)\.body/);
    assert.match(res.text, /brackets nest \(or are left open\) 1500 deep, more than 64/);
    assert.equal((await request(env.tool.url).get('/healthz')).status, 200);
  });

  test('Markdown that runs out of its time limit is refused; parsing ran in the worker while /healthz answered', async () => {
    setFieldTimeLimit(1); // any field now runs out of time: stands in for a slow pattern the nesting check misses
    try {
      const big = Array.from({ length: 900 }, (_, i) => `**${i}** [link](https://example.org/${i}) _x_`).join('\n');
      const pending = upload('md-slow', file(big));
      const health = await request(env.tool.url).get('/healthz');
      const res = await pending;
      assert.equal(health.status, 200);
      assert.equal(res.status, 422, res.text.slice(0, 300));
      assert.match(res.text, /the Markdown took longer than 0\.001 s to render: simplify it/);
    } finally {
      setFieldTimeLimit(2000);
    }
    // The terminated worker is replaced: the next import renders.
    assert.equal((await upload('md-slow', file('Now **fine**'))).status, 200);
  });

  test('ordinary Markdown is rendered at import, stored with the version, and the student view only reads it', async () => {
    const res = await upload('md-good', file('What is **bold**?', 'md-good-1'));
    assert.equal(res.status, 200, res.text.slice(0, 300));
    // The version's records are stored packed in its bundle chunks (content/model.ts).
    const [chunk] = (await bundles().find({}).toArray()).filter((c) => c.records.includes('"md-good-1"'));
    const records = JSON.parse(chunk.records) as { kind: string; id: string; doc: { body: string }; html: { body: string; hints: string[] } }[];
    const entry = records.find((r) => r.kind === 'item' && r.id === 'md-good-1')!;
    assert.equal(entry.html.body, '<p>What is <strong>bold</strong>?</p>\n');
    assert.deepEqual(entry.html.hints, ['<p>A <em>hint</em></p>\n']);
    assert.equal(entry.doc.body, 'What is **bold**?', 'the author’s Markdown is kept as written (exports give it back)');

    // What the page shows is the stored HTML, not a fresh rendering of the Markdown.
    entry.html.body = '<p>as stored at import</p>';
    await bundles().updateOne({ _id: chunk._id }, { $set: { records: JSON.stringify(records) } });
    const page = await studentView('md-good', 'md-good-1');
    assert.equal(page.status, 200, page.body.slice(0, 300));
    assert.match(page.body, /<p>as stored at import<\/p>/);
    assert.doesNotMatch(page.body, /<strong>bold<\/strong>/);
  });

  test('the migration renders versions stored before, hostile ones as escaped text, and their pages open', async () => {
    const tenant = tenantId(env.lms.issuer, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID);
    const course = courseId(tenant, 'md-old');
    const versionId = 'v_old_markdown';
    const scope = { tenantId: tenant, courseId: course, versionId };
    const old = file('An **old** item', 'md-old-1');
    const hostile = { ...old.items[0], id: 'md-old-2', body: HOSTILE };
    // As an older Wayfinder stored them: records only, no HTML.
    await entries().insertMany([
      { _id: `${versionId}/skill/md`, ...scope, kind: 'skill', id: 'md', doc: old.skills[0] },
      { _id: `${versionId}/item/md-old-1`, ...scope, kind: 'item', id: 'md-old-1', doc: old.items[0] },
      { _id: `${versionId}/item/md-old-2`, ...scope, kind: 'item', id: 'md-old-2', doc: hostile },
      { _id: `${versionId}/pathway/md-path`, ...scope, kind: 'pathway', id: 'md-path', doc: old.pathways[0] },
    ] as never[]);
    const db = mongoose.connection.db!;
    await db.collection('wf_content_versions').insertOne({ _id: versionId as never, tenantId: tenant, courseId: course, source: 'old', counts: { skills: 1, items: 2, pathways: 1 }, createdAt: new Date() });
    await db.collection('wf_content_pointers').insertOne({ _id: `${tenant}/${course}` as never, tenantId: tenant, courseId: course, versionId, updatedAt: new Date() });

    const migration = migrations.find((m) => m.id === 3)!;
    assert.ok((await migration.up(db)) >= 2);
    assert.equal(await migration.up(db), 0, 'a second run changes nothing');
    const html = async (id: string) => (await entries().findOne({ _id: `${versionId}/item/${id}` as never }))!.html;
    assert.equal((await html('md-old-1')).body, '<p>An <strong>old</strong> item</p>\n');
    assert.equal((await html('md-old-2')).body, `<p>${HOSTILE}</p>`, 'too deep to parse: kept as its (escaped) text');

    const page = await studentView('md-old', 'md-old-2');
    assert.equal(page.status, 200, page.body.slice(0, 300));
    assert.ok(page.body.includes(HOSTILE));
    assert.match((await studentView('md-old', 'md-old-1')).body, /An <strong>old<\/strong> item/);
    // Read once from its entries (a scan), the old version now has its bundle, read by `_id`.
    assert.equal(await bundles().countDocuments({ _id: `${versionId}/0` }), 1);
    assert.equal((await db.collection('wf_content_versions').findOne({ _id: versionId as never }))?.bundleChunks, 1);
  });
});
