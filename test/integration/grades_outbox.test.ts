import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GradeWorker, submitGrade } from '../../src/grades/index.js';
import { deliveries } from '../../src/grades/model.js';
import { startToolAndLms, type ToolAndLms } from '../support/lti.js';
import { change, newStudent, outboxOf, receivedFor, settled, until, COURSE } from './grades_support.js';

let env: ToolAndLms;
let worker: GradeWorker;
before(async () => {
  env = await startToolAndLms({ LABEL: 'grades_outbox' });
  // This file drives its own worker (fast retries, stoppable); the tool's own one stands down.
  await env.tool.grades.stop();
  worker = new GradeWorker({ retryBaseMs: 20, pollMs: 50 }).start();
});
after(async () => {
  await worker.stop();
  await env.close();
});

describe('grade outbox against the simulator with faults', () => {
  test('500 three times, then success: the score arrives exactly once', async () => {
    const sub = newStudent(env);
    env.lms.faults.failNext(3, 500, '/scores');
    assert.equal(await submitGrade(change(env, sub, 75)), 'queued');
    const done = await settled(sub);
    assert.equal(done.state, 'sent');
    assert.equal(done.attempts, 4, 'three failed attempts, then the one that worked');
    const got = receivedFor(env, sub);
    assert.equal(got.length, 1);
    assert.equal(got[0].score.scoreGiven, 75);
    assert.equal(got[0].score.scoreMaximum, 100);
    assert.equal(got[0].score.activityProgress, 'Completed');
    assert.equal(got[0].score.gradingProgress, 'FullyGraded');
    assert.equal(got[0].score.timestamp, done.timestamp);
  });

  for (const status of [400, 422]) {
    test(`${status} → failed with the LMS's message, not retried`, async () => {
      const sub = newStudent(env);
      env.lms.faults.failNext(1, status, '/scores', `the LMS says no (${status})`);
      await submitGrade(change(env, sub, 60));
      const done = await settled(sub);
      assert.equal(done.state, 'failed');
      assert.match(done.reason ?? '', new RegExp(`the LMS says no \\(${status}\\)`));
      assert.equal(done.attempts, 1);
      // Another scan of the outbox later does not touch it.
      worker.options.pollMs = 20;
      await new Promise((r) => setTimeout(r, 200));
      worker.options.pollMs = 50;
      const [again] = await outboxOf(sub);
      assert.equal(again.state, 'failed');
      assert.equal(again.attempts, 1);
      assert.equal(receivedFor(env, sub).length, 0);
    });
  }

  test('401 after the LMS expired the token: one refresh, then success', async () => {
    const warm = newStudent(env);
    await submitGrade(change(env, warm, 10));
    assert.equal((await settled(warm)).state, 'sent');
    const tokensBefore = env.lms.faults.requests.filter((r) => r === 'POST /token').length;
    env.lms.faults.expireTokens();
    const sub = newStudent(env);
    await submitGrade(change(env, sub, 90));
    const done = await settled(sub);
    assert.equal(done.state, 'sent');
    assert.equal(done.attempts, 1, 'the refresh happened inside the attempt');
    assert.equal(env.lms.faults.requests.filter((r) => r === 'POST /token').length, tokensBefore + 1);
    assert.equal(receivedFor(env, sub).length, 1);
  });

  test('out-of-order events: the latest wins and timestamps sent only increase', async () => {
    const sub = newStudent(env);
    await worker.stop();
    const t0 = Date.now();
    await submitGrade(change(env, sub, 40, { eventAt: new Date(t0 + 1000) }));
    await submitGrade(change(env, sub, 80, { eventAt: new Date(t0 + 3000) }));
    // Arrives late, but happened before the 80: dropped.
    assert.equal(await submitGrade(change(env, sub, 55, { eventAt: new Date(t0 + 2000) })), 'older');
    worker = new GradeWorker({ retryBaseMs: 20, pollMs: 50 }).start();
    const done = await settled(sub);
    assert.equal(done.state, 'sent');
    assert.equal(done.score.given, 80);
    assert.equal(done.timestamp, new Date(t0 + 3000).toISOString());
    const docs = await outboxOf(sub);
    assert.deepEqual(
      docs.map((d) => d.state),
      ['sent'],
      'the coalesced 40 was superseded, then cleared once the 80 was sent',
    );
    await submitGrade(change(env, sub, 95));
    await until('the 95 to be sent', async () =>
      (await outboxOf(sub)).find((d) => d.score.given === 95 && d.state === 'sent'),
    );
    const sent = receivedFor(env, sub);
    assert.deepEqual(
      sent.map((r) => r.score.scoreGiven),
      [80, 95],
    );
    assert.ok(Date.parse(sent[1].score.timestamp) > Date.parse(sent[0].score.timestamp));
  });

  test('an unchanged grade is not sent again', async () => {
    const sub = newStudent(env);
    await submitGrade(change(env, sub, 30));
    await settled(sub);
    assert.equal(await submitGrade(change(env, sub, 30)), 'unchanged');
    assert.equal(receivedFor(env, sub).length, 1);
  });

  test('a score for someone the LMS does not have as a student is refused by the simulator and shown as failed', async () => {
    const sub = newStudent(env);
    env.lms.enrol(COURSE, { user: { sub, name: 'Now a teacher' }, role: 'teacher' });
    await submitGrade(change(env, sub, 70));
    const done = await settled(sub);
    assert.equal(done.state, 'failed');
    assert.match(done.reason ?? '', /422: User .* is not a student/);
    assert.equal(receivedFor(env, sub).length, 0);
  });

  test('a lost answer: the retry meets 409, the LMS already holds our score, so it counts as sent', async () => {
    const sub = newStudent(env);
    // The first POST is stored but its answer is lost; the retry repeats the same timestamp.
    await submitGrade(change(env, sub, 65));
    const done = await settled(sub);
    assert.equal(done.state, 'sent');
    const lost = change(env, sub, 65, { force: true });
    // Replay exactly what was sent, as a retry after a lost answer would.
    await worker.stop();
    await submitGrade(lost);
    const [, replay] = await outboxOf(sub);
    await deliveries().updateOne({ _id: replay._id }, { $set: { timestamp: done.timestamp } });
    worker = new GradeWorker({ retryBaseMs: 20, pollMs: 50 }).start();
    const after409 = await until('the replay to settle', async () => {
      const d = (await outboxOf(sub)).find((x) => x._id === replay._id);
      return d && d.state !== 'pending' ? d : undefined;
    });
    assert.equal(after409.state, 'sent');
    assert.ok(
      env.lms.faults.requests.some((r) => r.includes('/results?')),
      'the LMS result was read',
    );
    assert.equal(receivedFor(env, sub).length, 1, 'the LMS stored the score once');
  });

  test('no deep-linked column: found by resource link, else created (lineitem scope), label kept in sync', async () => {
    const sub = newStudent(env);
    const link = {
      ...change(env, sub, 0).link,
      resourceLinkId: 'link-without-column',
      label: 'Fractions',
      lineItemUrl: undefined,
    };
    await submitGrade(change(env, sub, 50, { link }));
    assert.equal((await settled(sub)).state, 'sent');
    const column = env.lms
      .gradebook(COURSE)
      .lineItems.find((l) => l.resourceLinkId === 'link-without-column');
    assert.ok(column, 'the tool created the column');
    assert.equal(column.label, 'Fractions');
    const other = newStudent(env);
    await submitGrade(change(env, other, 20, { link: { ...link, label: 'Fractions (renamed)' } }));
    assert.equal((await settled(other)).state, 'sent');
    const columns = env.lms
      .gradebook(COURSE)
      .lineItems.filter((l) => l.resourceLinkId === 'link-without-column');
    assert.equal(columns.length, 1, 'found again, not created twice');
    assert.equal(columns[0].label, 'Fractions (renamed)');
  });

  test('no column and no lineitem scope: failed with a reason the teacher can act on', async () => {
    const sub = newStudent(env);
    const base = change(env, sub, 0).link;
    const link = {
      ...base,
      resourceLinkId: 'link-nowhere',
      lineItemUrl: undefined,
      scopes: base.scopes.filter((s) => !s.endsWith('/lineitem')),
    };
    await submitGrade(change(env, sub, 50, { link }));
    const done = await settled(sub);
    assert.equal(done.state, 'failed');
    assert.match(done.reason ?? '', /did not grant Wayfinder the scope to create one/);
  });
});
