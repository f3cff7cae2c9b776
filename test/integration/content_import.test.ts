import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import { findItem, listPathways, searchItems, skillsOf } from '../../src/content/catalog.js';
import { DEMO_FILE, seedDemoContent } from '../../src/content/demo.js';
import { importContent, ImportRefused } from '../../src/content/import.js';
import { scopeContent } from '../../src/content/store.js';
import { connectDatabase, disconnectDatabase } from '../../src/db/connection.js';
import { freshDatabaseUri } from '../support/db.js';

before(async () => connectDatabase(freshDatabaseUri('content_import')));
after(async () => disconnectDatabase());

const CONTENT_COLLECTIONS = ['wf_content_entries', 'wf_content_bundles', 'wf_content_versions', 'wf_content_pointers'];
const countAll = async () => {
  let n = 0;
  for (const c of CONTENT_COLLECTIONS) n += await mongoose.connection.db!.collection(c).countDocuments();
  return n;
};

const good = () => ({
  format: 'wayfinder-content/1',
  skills: [
    { id: 'count', name: 'Counting' },
    { id: 'add', name: 'Adding', prerequisites: ['count'] },
  ],
  items: [
    { id: 'add-1', title: '2 + 2', type: 'numeric', body: 'What is **2 + 2**?', skills: ['add'], answer: { value: 4 } },
    { id: 'add-2', title: 'Pick', type: 'multiple_choice', skills: ['add'], choices: [{ id: 'a', text: '3' }, { id: 'b', text: '4' }], answer: { correct: ['b'] } },
  ],
  pathways: [{ id: 'p', title: 'Adding', skills: ['add'], items: ['add-1', 'add-2'] }],
});

async function refused(input: unknown, scope = { tenantId: 't_refused' }, format: 'json' | 'csv' = 'json') {
  const before = await countAll();
  const err = await importContent(typeof input === 'string' ? input : JSON.stringify(input), format, scope, 'test').then(
    () => assert.fail('the import was accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ImportRefused, String(err));
  assert.equal(await countAll(), before, 'a refused import stored something');
  return err.problems.map((p) => `${p.kind} @ ${p.place}: ${p.message}`);
}

describe('a refused import reports each problem with its place and stores nothing', () => {
  test('prerequisite cycle, named by its skills', async () => {
    const c = good();
    c.skills.push({ id: 'x', name: 'X', prerequisites: ['y'] }, { id: 'y', name: 'Y', prerequisites: ['z'] }, { id: 'z', name: 'Z', prerequisites: ['x'] });
    c.skills[0] = { ...c.skills[0], prerequisites: ['count'] } as (typeof c.skills)[0];
    const problems = await refused(c);
    assert.ok(problems.some((p) => /^prerequisite_cycle @ skills\[2\] \(id "x"\)\.prerequisites: .*x → y → z → x/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /count → count/.test(p)), 'a self-prerequisite is a cycle too');
  });

  test('duplicate ids, in each list and among choices', async () => {
    const c = good();
    c.skills.push({ id: 'add', name: 'Again' });
    c.items.push({ ...c.items[0] });
    c.pathways.push({ ...c.pathways[0] });
    c.items[1].choices!.push({ id: 'a', text: 'again' });
    const problems = await refused(c);
    assert.ok(problems.includes('duplicate_id @ skills[2] (id "add"): the id "add" is already used by skills[1]'), problems.join('\n'));
    assert.ok(problems.includes('duplicate_id @ items[2] (id "add-1"): the id "add-1" is already used by items[0]'));
    assert.ok(problems.includes('duplicate_id @ pathways[1] (id "p"): the id "p" is already used by pathways[0]'));
    assert.ok(problems.some((p) => p.startsWith('duplicate_id @ items[1] (id "add-2").choices')));
  });

  test('unknown skill and item references', async () => {
    const c = good();
    c.items[0].skills = ['add', 'multiply'];
    c.skills[1].prerequisites = ['counting'];
    c.pathways[0].items.push('add-99');
    const problems = await refused(c);
    assert.ok(problems.includes('unknown_reference @ items[0] (id "add-1").skills: no skill has the id "multiply"'), problems.join('\n'));
    assert.ok(problems.includes('unknown_reference @ skills[1] (id "add").prerequisites: no skill has the id "counting"'));
    assert.ok(problems.includes('unknown_reference @ pathways[0] (id "p").items: no item has the id "add-99"'));
  });

  test('answer keys that do not match the item type', async () => {
    const c = good() as { items: Record<string, unknown>[] };
    c.items[0].answer = { accepted: ['4'] }; // a short-text key on a numeric item
    c.items[1].answer = { correct: ['c'] }; // not one of the choices
    c.items.push({ id: 'r', title: 'Read', type: 'reading', answer: { value: 1 } });
    c.items.push({ id: 's', title: 'Say', type: 'short_text' });
    c.items.push({ id: 'm', title: 'Many', type: 'multiple_choice', choices: [{ id: 'a', text: '1' }, { id: 'b', text: '2' }], answer: { correct: ['a', 'b'] } });
    c.items.push({ id: 'v', title: 'Watch', type: 'video', videoUrl: 'https://evil.example/embed/1' });
    const problems = await refused(c);
    const at = (place: string) => problems.find((p) => p.includes(`@ ${place}`));
    assert.match(at('items[0] (id "add-1").answer') ?? '', /answer_key .*does not match type numeric/);
    assert.match(at('items[1] (id "add-2").answer') ?? '', /the correct choice "c" is not one of the choices/);
    assert.match(at('items[2] (id "r").answer') ?? '', /a reading item has no answer key/);
    assert.match(at('items[3] (id "s").answer') ?? '', /does not match type short_text/);
    assert.match(at('items[4] (id "m").answer') ?? '', /several correct choices need "multiple": true/);
    assert.match(at('items[5] (id "v").videoUrl') ?? '', /video_url .*allow|video_url .*https embed/);
  });

  test('unsafe HTML, in any Markdown field and language', async () => {
    const c = good() as { items: Record<string, unknown>[] };
    c.items[0].body = 'Hi <img src=x onerror=alert(1)>';
    c.items[0].hints = ['[x](javascript:alert(1))'];
    c.items[1].translations = { 'zh-Hans': { body: '<script>alert(1)</script>' } };
    const problems = await refused(c);
    assert.ok(problems.includes('unsafe_html @ items[0] (id "add-1").body: the event handler attribute onerror on <img> is not allowed'), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('unsafe_html @ items[0] (id "add-1").hints[0]: the URL "javascript:alert(1)"')));
    assert.ok(problems.includes('unsafe_html @ items[1] (id "add-2").translations.zh-Hans.body: the HTML tag <script> is not allowed'));
  });

  test('shape errors name the record, and every problem of a file comes back at once', async () => {
    const c = good() as { items: Record<string, unknown>[]; format: string };
    c.items[0].type = 'essay';
    c.items[1].difficulty = 7;
    const problems = await refused(c);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0], /^format @ items\[0\] \(id "add-1"\)\.type: expected one of multiple_choice/);
    assert.match(problems[1], /^format @ items\[1\] \(id "add-2"\)\.difficulty/);
    assert.deepEqual(await refused('{ not json'), ['format @ file: not valid JSON: ' + (() => { try { JSON.parse('{ not json'); } catch (e) { return (e as Error).message; } })()]);
  });

  test('CSV problems are placed by row', async () => {
    const csv = 'id,title,type,answer,skills\nq1,One,numeric,1,\nq2,Two,numeric,abc,nope\n';
    const problems = await refused(csv, { tenantId: 't_refused' }, 'csv');
    assert.ok(problems.some((p) => p.startsWith('unknown_reference @ row 3 (id "q2").skills')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('answer_key @ row 3 (id "q2").answer')));
  });
});

describe('accepted imports', () => {
  const scope = { tenantId: 't_ok' };

  test('a good file is stored and can be looked up', async () => {
    const r = await importContent(JSON.stringify(good()), 'json', scope, 'test');
    assert.deepEqual(r.counts, { skills: 2, items: 2, pathways: 1 });
    assert.equal((await findItem(scope, 'add-1'))?.title, '2 + 2');
    assert.deepEqual((await skillsOf(scope, 'add-1')).map((s) => s.id), ['add']);
    assert.equal((await listPathways(scope)).length, 1);
  });

  test('a re-import replaces the content: a removed item is gone', async () => {
    const c = good();
    c.items.pop();
    c.pathways[0].items.pop();
    await importContent(JSON.stringify(c), 'json', scope, 'test');
    assert.equal(await findItem(scope, 'add-2'), undefined);
    assert.equal((await scopeContent(scope)).items.length, 1);
  });

  test('CSV items add to a scope and may use the tenant\'s shared skills; courses see shared content', async () => {
    const course = { ...scope, courseId: 'c_one' };
    const csv = 'id,title,type,body,skills,choices,correct,answer,title_zh-Hans\nc1,Course item,short_text,Say hi,add,,,hi|你好,课程题目\nc2,Pick,multiple_choice,,add,yes|no,a,,\n';
    const r = await importContent(csv, 'csv', course, 'test.csv');
    assert.equal(r.counts.items, 2);
    assert.equal((await findItem(course, 'c1'))?.translations?.['zh-Hans']?.title, '课程题目');
    assert.ok(await findItem(course, 'add-1'), 'the shared library is visible in the course');
    assert.equal(await findItem(scope, 'c1'), undefined, 'course content stays in its course');
    assert.equal(await findItem({ tenantId: 't_other', courseId: 'c_one' }, 'add-1'), undefined, 'another tenant sees nothing');
    assert.deepEqual((await searchItems(course, { type: 'multiple_choice' })).map((i) => i.id).sort(), ['c2']);
  });

  test('export round-trips through import', async () => {
    const exported = await scopeContent(scope);
    await importContent(JSON.stringify(exported), 'json', { tenantId: 't_copy' }, 'export');
    assert.deepEqual(await scopeContent({ tenantId: 't_copy' }), exported);
  });

  test('the demo course: ≥10 skills, ≥60 items, both languages; seeding twice changes nothing', async () => {
    const r = await seedDemoContent('t_demo');
    assert.notEqual(r, 'unchanged');
    assert.equal(await seedDemoContent('t_demo'), 'unchanged');
    const demo = await scopeContent({ tenantId: 't_demo' });
    assert.ok(demo.skills.length >= 10 && demo.items.length >= 60, `${demo.skills.length} skills, ${demo.items.length} items`);
    assert.ok(demo.skills.some((s) => s.prerequisites.length));
    assert.ok(demo.items.every((i) => i.translations?.['zh-Hans']?.title), 'every item has a Chinese title');
    assert.ok(JSON.parse(await readFile(DEMO_FILE, 'utf8')).items.length === demo.items.length);
  });
});
