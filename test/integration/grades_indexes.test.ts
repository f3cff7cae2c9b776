import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectDatabase, disconnectDatabase } from '../../src/db/connection.js';
import { migrations } from '../../src/db/migrations.js';
import { courseGrades, retryLearnerGrades, slotOf } from '../../src/grades/index.js';
import { deliveries, slots, type Delivery } from '../../src/grades/model.js';
import { freshDatabaseUri } from '../support/db.js';

/**
 * The drill-down and "Send failed grades again" read a learner's grades by `_id` (the course's
 * graded links, each slot's log): what an older Wayfinder wrote has neither, and migration 6 lists it.
 */
before(() => connectDatabase(freshDatabaseUri('grades_indexes')));
after(() => disconnectDatabase());

const scope = { tenantId: 't_idx', courseId: 'c_idx' };
const link = (resourceLinkId: string) => ({ resourceLinkId, label: `Column ${resourceLinkId}`, lineItemUrl: 'https://lms.example/li', scopes: [] });
const score = (given: number) => ({ given, maximum: 100, activityProgress: 'Completed' as const, gradingProgress: 'FullyGraded' as const });
const target = (sub: string, rl: string) => ({ ...scope, platformKey: 'pk', issuer: 'https://lms.example', clientId: 'c', sub, name: `Learner ${sub}`, link: link(rl) });

function delivery(sub: string, rl: string, given: number, state: Delivery['state'], at: Date): Delivery {
  const slot = slotOf({ ...scope, sub, resourceLinkId: rl });
  return { _id: `${slot}@${at.getTime()}`, slot, ...target(sub, rl), score: score(given), eventAt: at, state, attempts: 1, nextAttemptAt: new Date(at.getTime() + 3_600_000), reason: state === 'failed' ? 'LMS said no' : 'LMS busy', createdAt: at, updatedAt: at };
}

test("an older version's slot records and outbox are listed by migration 6; a second run changes nothing", async () => {
  const t0 = new Date('2026-11-30T10:00:00Z');
  const sentSlot = slotOf({ ...scope, sub: 'ada', resourceLinkId: 'rl-1' });
  await slots().insertOne({ _id: sentSlot, ...target('ada', 'rl-1'), state: 'sent', score: score(70), lastSent: { score: score(70), timestamp: t0.toISOString(), eventAt: t0, at: t0 }, attempts: 1, updatedAt: t0 });
  await deliveries().insertMany([
    delivery('ada', 'rl-2', 40, 'failed', new Date(t0.getTime() + 1000)),
    delivery('ada', 'rl-1', 90, 'pending', new Date(t0.getTime() + 2000)),
    delivery('li', 'rl-2', 55, 'pending', new Date(t0.getTime() + 3000)),
  ]);
  assert.deepEqual(await courseGrades(scope, 'ada'), [], 'before: nothing listed, and nothing scanned');

  const rebuild = migrations.find((m) => m.id === 6)!;
  assert.equal(await rebuild.up(undefined as never), 1 + 3, 'one course listed, three deliveries logged');
  assert.equal(await rebuild.up(undefined as never), 1, 'a second run logs nothing again');

  const ada = await courseGrades(scope, 'ada');
  assert.deepEqual(
    ada.map((g) => [g.resourceLinkId, g.state, g.score.given, g.lastSent?.given]),
    [
      ['rl-1', 'pending', 90, 70],
      ['rl-2', 'failed', 40, undefined],
    ],
  );
  assert.deepEqual((await courseGrades(scope, 'li')).map((g) => [g.resourceLinkId, g.state]), [['rl-2', 'pending']]);
  assert.deepEqual(await courseGrades({ ...scope, courseId: 'other' }, 'ada'), [], 'another course of the tenant lists nothing of this one');

  // "Send failed grades again": the failure is found through the log and queued anew.
  assert.equal(await retryLearnerGrades(scope, 'ada'), 1);
  const again = (await courseGrades(scope, 'ada')).find((g) => g.resourceLinkId === 'rl-2');
  assert.equal(again?.state, 'pending');
  assert.equal(again?.score.given, 40);
  assert.equal(await deliveries().countDocuments({ sub: 'ada', state: 'failed' }), 0);
});
