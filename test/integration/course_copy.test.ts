import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import request from 'supertest';
import { findPathway } from '../../src/content/catalog.js';
import { courseCopies } from '../../src/content/course_copy.js';
import { DEMO_FILE } from '../../src/content/demo.js';
import { importContent } from '../../src/content/import.js';
import type { LaunchContext } from '../../src/lti/session.js';
import { courseId } from '../../src/lti/tenancy.js';
import { startToolAndLms, type ToolAndLms } from '../support/lti.js';

/**
 * Course copy through the simulator: a pathway of course A's own content is deep-linked in A; the
 * LMS copies A to B (same resource link, `context_id_history: [A]`); B's launches open a copy of
 * the content with its settings, and none of A's learner data.
 */
const CONTEXT = 'https://purl.imsglobal.org/spec/lti/claim/context';
const source = { id: '2', title: 'Algebra foundations' };
const copied = { id: '2-spring', title: 'Algebra foundations (spring)' };

let env: ToolAndLms;
let tenant: string;
let linkId: string;

/** The demo's multiplication skill and items as course A's own content, under ids only A has. */
async function courseOwnContent() {
  const demo = JSON.parse(await readFile(DEMO_FILE, 'utf8')) as { skills: { id: string }[]; items: { id: string; skills: string[] }[] };
  const skill = { ...demo.skills.find((s) => s.id === 'mult')!, id: 'cc-mult', prerequisites: [] };
  const items = demo.items.filter((i) => i.skills.includes('mult')).map((i) => ({ ...i, id: `cc-${i.id}`, skills: ['cc-mult'] }));
  const pathway = { id: 'cc-times', title: 'Times tables', skills: ['cc-mult'], items: items.map((i) => i.id), settings: { masteryThreshold: 0.9, difficultyTarget: 0.6 } };
  return JSON.stringify({ format: 'wayfinder-content/1', skills: [skill], items, pathways: [pathway] });
}

const launchIn = (course: object, who: Record<string, unknown>, claims?: Record<string, unknown>) =>
  env.launchAs({ course, resourceLink: { id: linkId }, ...who, ...(claims ? { claims } : {}) });
const ada = { role: 'student', user: { sub: 'cc-ada', name: 'Ada Lovelace' } } as const;
const li = { role: 'student', user: { sub: 'cc-li', name: 'Li Wei' } } as const;

before(async () => {
  env = await startToolAndLms({ LABEL: 'course_copy' });
  const picker = await env.launchAs({ role: 'teacher', course: source, messageType: 'LtiDeepLinkingRequest' });
  const session = (await mongoose.connection.db!.collection('wf_launches').findOne({})) as unknown as LaunchContext;
  tenant = session.tenantId;
  await importContent(await courseOwnContent(), 'json', { tenantId: tenant, courseId: courseId(tenant, source.id) }, 'course A');
  // Deep linking in A: the teacher picks the course's pathway; the LMS stores the resource link.
  const chosen = await request(env.tool.url).post('/teacher/deep-link').type('form').send({ ltik: picker.ltik, pick: 'pathway:cc-times' });
  assert.equal(chosen.status, 200, chosen.text.slice(0, 300));
  const action = /action="([^"]+)"/.exec(chosen.text)![1].replace(/&amp;/g, '&');
  const token = /name="JWT" value="([^"]+)"/.exec(chosen.text)![1];
  const back = await fetch(action, { method: 'POST', body: new URLSearchParams({ JWT: token }), headers: { accept: 'application/json' } });
  const { links } = (await back.json()) as { links: { id: string; custom: Record<string, string> }[] };
  linkId = links.find((l) => l.custom.wayfinder_pathway === 'cc-times')!.id;
  // Ada works in A.
  const a = await launchIn(source, ada);
  assert.match(a.body, /Times tables/);
  const answer = await request(env.tool.url).post('/student/items/cc-mult-1/answer').type('form').send({ ltik: a.ltik, pathway: 'cc-times', text: '42' });
  assert.equal(answer.status, 200);
});
after(async () => env?.close());

describe('a copied course', () => {
  test('with context_id_history: the deep-linked pathway opens in the copy, with its settings, and no learner data', async () => {
    const claims = { [CONTEXT]: { id: copied.id, title: copied.title, type: ['CourseSection'], context_id_history: [source.id] } };
    const r = await launchIn(copied, li, claims);
    assert.equal(r.status, 200, r.body.slice(0, 300));
    assert.match(r.body, /Times tables/);
    const copyScope = { tenantId: tenant, courseId: courseId(tenant, copied.id) };
    const pathway = await findPathway(copyScope, 'cc-times');
    assert.deepEqual(pathway?.settings, { masteryThreshold: 0.9, difficultyTarget: 0.6 });
    const [record] = await courseCopies(copyScope);
    assert.equal(record.sourceCourseId, courseId(tenant, source.id));
    assert.equal(record.via, 'context_id_history');
    assert.deepEqual(record.counts, { skills: 1, items: 5, pathways: 1 });
    // No learner data: nothing of Ada in the new course, and Li's progress starts empty.
    const db = mongoose.connection.db!;
    assert.equal(await db.collection('wf_statements').countDocuments({ courseId: copyScope.courseId, sub: ada.user.sub }), 0);
    const progress = await request(env.tool.url).get(`/student/progress?ltik=${encodeURIComponent(r.ltik)}`);
    assert.match(progress.text, /Not started/);
    assert.doesNotMatch(progress.text, /Mastered|Answered/);
    // The copied item works: answering is recorded in the new course.
    const answer = await request(env.tool.url).post('/student/items/cc-mult-1/answer').type('form').send({ ltik: r.ltik, pathway: 'cc-times', text: '42' });
    assert.equal(answer.status, 200);
    assert.equal(await db.collection('wf_statements').countDocuments({ courseId: copyScope.courseId, sub: li.user.sub, verb: 'answered' }), 1);
  });

  test('is copied once: later launches (and a repeat of the claim) copy nothing again', async () => {
    const claims = { [CONTEXT]: { id: copied.id, title: copied.title, type: ['CourseSection'], context_id_history: [source.id] } };
    const versions = async () => mongoose.connection.db!.collection('wf_content_versions').countDocuments({ courseId: courseId(tenant, copied.id) });
    const before = await versions();
    await Promise.all([launchIn(copied, ada, claims), launchIn(copied, li, claims)]);
    assert.equal(await versions(), before);
    assert.equal((await courseCopies({ tenantId: tenant, courseId: courseId(tenant, copied.id) })).length, 1);
  });

  test('a link to content no course has is still “cannot be found”', async () => {
    const r = await env.launchAs({ role: 'student', course: { id: '2-empty' }, custom: { wayfinder_pathway: 'nowhere' } });
    assert.equal(r.status, 404);
    assert.match(r.body, /This activity cannot be found/);
  });
});
