import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import request from 'supertest';
import { seedDemoContent } from '../../src/content/demo.js';
import { migrations } from '../../src/db/migrations.js';
import type { LaunchContext } from '../../src/lti/session.js';
import { startToolAndLms, type ToolAndLms } from '../support/lti.js';

/** Teacher overrides: a pin or skip changes the learner's next recommendation; reverting restores it. */
const link = { resourceLink: { id: 'rl-fractions', title: 'Fractions' }, custom: { wayfinder_pathway: 'fractions' } };
const ada = { role: 'student' as const, user: { sub: 'ov-ada', name: 'Ada Lovelace' }, course: '2', ...link };
const li = { role: 'student' as const, user: { sub: 'ov-li', name: 'Li Wei' }, course: '2', ...link };

let env: ToolAndLms;
let course: string;
const ltik: Record<string, string> = {};

/** The item and reason "Next up" shows on the learner's landing page (with no answers the policy is deterministic). */
async function nextUpOf(who: string): Promise<{ item: string; reason: string }> {
  const res = await request(env.tool.url).get(`/student?ltik=${encodeURIComponent(ltik[who])}`);
  assert.equal(res.status, 200);
  const item = /class="next-title"><a href="\/student\/items\/([^?"]+)\?/.exec(res.text)?.[1];
  const reason = /<p class="reason">([^<]+)<\/p>/.exec(res.text)?.[1];
  assert.ok(item && reason, res.text.slice(0, 2000));
  return { item, reason };
}
const api = (method: 'get' | 'post' | 'delete', path: string, who = 'teacher') =>
  request(env.tool.url)[method](`/api/courses/${course}/overrides${path}`).set('Authorization', `Bearer ${ltik[who]}`);

before(async () => {
  env = await startToolAndLms({ LABEL: 'overrides' });
  ltik.ada = (await env.launchAs(ada)).ltik;
  const session = (await mongoose.connection.db!.collection('wf_launches').findOne({ sub: ada.user.sub })) as unknown as LaunchContext;
  course = session.courseId;
  await seedDemoContent(session.tenantId);
  ltik.li = (await env.launchAs(li)).ltik;
  ltik.teacher = (await env.launchAs({ role: 'teacher', user: { sub: 'ov-teacher', name: 'Grace Hopper' }, course: '2' })).ltik;
  ltik.otherTeacher = (await env.launchAs({ role: 'teacher', user: { sub: 'ov-teacher', name: 'Grace Hopper' }, course: '3' })).ltik;
});
after(async () => env?.close());

describe('pin and skip change the next recommendation; reverting restores it', () => {
  test('a pin for one learner puts that item first for them only, with the teacher as the reason', async () => {
    const before = await nextUpOf('ada');
    const liBefore = await nextUpOf('li');
    const pinned = before.item === 'decimals-1' ? 'frac-mult-1' : 'decimals-1';
    const set = await api('post', '').send({ kind: 'pin', itemId: pinned, learner: ada.user.sub });
    assert.equal(set.status, 201, set.text);
    assert.deepEqual(await nextUpOf('ada'), { item: pinned, reason: 'Your teacher chose this for you next' });
    assert.deepEqual(await nextUpOf('li'), liBefore, 'another learner is not affected');
    const reverted = await api('delete', `/${set.body.override._id}`);
    assert.equal(reverted.status, 200);
    assert.ok(reverted.body.override.revertedAt);
    assert.deepEqual(await nextUpOf('ada'), before);
  });

  test('a course-wide skip keeps the item out of everyone’s Next up until reverted', async () => {
    const before = await nextUpOf('li');
    const set = await api('post', '').send({ kind: 'skip', itemId: before.item, learner: '*' });
    assert.equal(set.status, 201);
    for (const who of ['ada', 'li']) assert.notEqual((await nextUpOf(who)).item, before.item, who);
    await api('delete', `/${set.body.override._id}`);
    assert.deepEqual(await nextUpOf('li'), before);
  });

  test('every override and revert is an override statement naming the teacher and the learner', async () => {
    const statements = await mongoose.connection.db!.collection('wf_statements').find({ courseId: course, verb: 'override' }).sort({ stored: 1 }).toArray();
    assert.deepEqual(
      statements.map((s) => [s.sub, s.context.extensions.learner, s.context.extensions.kind, s.context.extensions.action]),
      [
        ['ov-teacher', ada.user.sub, 'pin', 'set'],
        ['ov-teacher', ada.user.sub, 'pin', 'revert'],
        ['ov-teacher', '*', 'skip', 'set'],
        ['ov-teacher', '*', 'skip', 'revert'],
      ],
    );
    const list = await api('get', `?learner=${ada.user.sub}`);
    assert.equal(list.body.overrides.length, 2, 'hers and the course-wide one');
    assert.ok(list.body.overrides.every((o: { by: { name: string } }) => o.by.name === 'Grace Hopper'));
  });
});

describe('the per-learner lists Next up reads by _id', () => {
  test('lists lost, or never written by an older Wayfinder, are rebuilt from the overrides by migration 5', async () => {
    const before = await nextUpOf('li');
    const pinned = before.item === 'decimals-1' ? 'frac-mult-1' : 'decimals-1';
    const pin = await api('post', '').send({ kind: 'pin', itemId: pinned, learner: li.user.sub });
    const skip = await api('post', '').send({ kind: 'skip', itemId: before.item, learner: '*' });
    assert.equal(pin.status, 201);
    assert.equal(skip.status, 201);
    const pinnedNext = { item: pinned, reason: 'Your teacher chose this for you next' };
    assert.deepEqual(await nextUpOf('li'), pinnedNext);
    const lists = mongoose.connection.db!.collection('wf_override_lists');
    await lists.deleteMany({});
    assert.deepEqual(await nextUpOf('li'), before, 'Next up reads the lists, not the override documents');
    const rebuild = migrations.find((m) => m.id === 5)!;
    assert.equal(await rebuild.up(mongoose.connection.db!), 3, "ada's (from the tests above), li's and the course's list");
    assert.deepEqual(await nextUpOf('li'), pinnedNext);
    await api('delete', `/${pin.body.override._id}`);
    await api('delete', `/${skip.body.override._id}`);
    assert.equal(await rebuild.up(mongoose.connection.db!), 3, 'a second run writes the same lists');
    assert.deepEqual(await nextUpOf('li'), before);
    assert.deepEqual((await lists.find({}).toArray()).map((l) => l.active), [[], [], []], 'reverted overrides leave the lists');
  });
});

describe('who may override', () => {
  test('students get 403, a teacher of another course gets 403, and bad input says what is wrong', async () => {
    assert.equal((await api('post', '', 'ada').send({ kind: 'pin', itemId: 'frac-mult-1', learner: ada.user.sub })).status, 403);
    assert.equal((await api('get', '', 'otherTeacher')).status, 403);
    const bad = await api('post', '').send({ kind: 'promote', itemId: '', learner: '' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /kind: must be pin, skip or grade/);
    assert.equal((await api('post', '').send({ kind: 'pin', itemId: 'no-such-item', learner: '*' })).status, 404);
    assert.equal((await api('delete', '/00000000-0000-4000-8000-000000000000')).status, 404);
  });

  test("a teacher of another course cannot revert this course's override through their own course", async () => {
    const set = await api('post', '').send({ kind: 'skip', itemId: 'frac-mult-1', learner: '*' });
    assert.equal(set.status, 201);
    const other = await mongoose.connection.db!.collection('wf_launches').findOne({ sub: 'ov-teacher', courseId: { $ne: course } });
    const res = await request(env.tool.url).delete(`/api/courses/${other!.courseId}/overrides/${set.body.override._id}`).set('Authorization', `Bearer ${ltik.otherTeacher}`);
    assert.equal(res.status, 404);
    const list = await api('get', '');
    assert.ok(list.body.overrides.some((o: { _id: string; revertedAt?: string }) => o._id === set.body.override._id && !o.revertedAt), 'still standing');
    assert.equal((await api('delete', `/${set.body.override._id}`)).status, 200);
  });
});
