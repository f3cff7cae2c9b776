import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LmsProfile } from '../../src/devlms/index.js';
import { GradeWorker, submitGrade } from '../../src/grades/index.js';
import { deliveries, slots } from '../../src/grades/model.js';
import { startToolAndLms, type ToolAndLms } from '../support/lti.js';
import {
  change,
  COURSE,
  gradeOf,
  newStudent,
  outboxOf,
  receivedFor,
  settled,
  until,
} from './grades_support.js';

let env: ToolAndLms;
let worker: GradeWorker;
const startWorker = () => (worker = new GradeWorker({ retryBaseMs: 20, pollMs: 50 }).start());
before(async () => {
  env = await startToolAndLms({ LABEL: 'grades_outbox' });
  // This file drives its own worker (fast retries, stoppable); the tool's own one stands down.
  await env.tool.grades.stop();
  startWorker();
});
after(async () => {
  await worker.stop();
  await env.close();
});

for (const profile of ['moodle', 'canvas'] as LmsProfile[])
  describe(`grade outbox against the simulator with faults (${profile} profile)`, () => {
    before(() => env.lms.setProfile(profile));
    test('500 three times, then success: the score arrives exactly once', async () => {
      const sub = newStudent(env);
      env.lms.faults.failNext(3, 500, '/scores');
      await submitGrade(change(env, sub, 75));
      const done = await settled(env, sub);
      assert.equal(done.state, 'sent');
      assert.equal(done.attempts, 4, 'three failed attempts, then the one that worked');
      const got = receivedFor(env, sub);
      assert.equal(got.length, 1);
      assert.equal(got[0].score.scoreGiven, 75);
      assert.equal(got[0].score.scoreMaximum, 100);
      assert.equal(got[0].score.activityProgress, 'Completed');
      assert.equal(got[0].score.gradingProgress, 'FullyGraded');
      assert.equal(got[0].score.timestamp, done.lastSent?.timestamp);
      assert.deepEqual(await outboxOf(sub), [], 'the outbox keeps live work only');
    });

    for (const status of [400, 422]) {
      test(`${status} → failed with the LMS's message, not retried`, async () => {
        const sub = newStudent(env);
        env.lms.faults.failNext(1, status, '/scores', `the LMS says no (${status})`);
        await submitGrade(change(env, sub, 60));
        const done = await settled(env, sub);
        assert.equal(done.state, 'failed');
        assert.match(done.reason ?? '', new RegExp(`the LMS says no \\(${status}\\)`));
        assert.equal(done.attempts, 1);
        // Later scans of the outbox leave it alone.
        await new Promise((r) => setTimeout(r, 300));
        const again = await gradeOf(env, sub);
        assert.equal(again?.state, 'failed');
        assert.equal(again?.attempts, 1);
        assert.equal(receivedFor(env, sub).length, 0);
      });
    }

    test('401 after the LMS expired the token: one refresh, then success', async () => {
      const warm = newStudent(env);
      await submitGrade(change(env, warm, 10));
      assert.equal((await settled(env, warm)).state, 'sent');
      const tokens = () => env.lms.faults.requests.filter((r) => r === 'POST /token').length;
      const before = tokens();
      env.lms.faults.expireTokens();
      const sub = newStudent(env);
      await submitGrade(change(env, sub, 90));
      const done = await settled(env, sub);
      assert.equal(done.state, 'sent');
      assert.equal(done.attempts, 1, 'the refresh happened inside the attempt');
      assert.equal(tokens(), before + 1);
      assert.equal(receivedFor(env, sub).length, 1);
    });

    test('out-of-order events: the latest wins and timestamps sent only increase', async () => {
      const sub = newStudent(env);
      await worker.stop();
      const t0 = Date.now();
      await submitGrade(change(env, sub, 40, { eventAt: new Date(t0 + 1000) }));
      await submitGrade(change(env, sub, 80, { eventAt: new Date(t0 + 3000) }));
      // Queued last, but happened before the 80.
      await submitGrade(change(env, sub, 55, { eventAt: new Date(t0 + 2000) }));
      startWorker();
      const done = await settled(env, sub);
      assert.equal(done.state, 'sent');
      assert.equal(done.score.given, 80);
      assert.equal(done.lastSent?.timestamp, new Date(t0 + 3000).toISOString());

      // An event older than what the LMS holds, arriving now: dropped, never sent.
      await submitGrade(change(env, sub, 20, { eventAt: new Date(t0 + 2500) }));
      await until('the stale grade to be dropped', async () => (await outboxOf(sub)).length === 0);
      await submitGrade(change(env, sub, 95, { eventAt: new Date(t0 + 4000) }));
      await until('the 95 to be sent', async () => (await gradeOf(env, sub))?.lastSent?.given === 95);
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
      await settled(env, sub);
      await submitGrade(change(env, sub, 30));
      await until('the repeat to be dropped', async () => (await outboxOf(sub)).length === 0);
      assert.equal(receivedFor(env, sub).length, 1);
    });

    test('a score for someone the LMS does not have as a student is refused by the simulator and shown as failed', async () => {
      const sub = newStudent(env);
      env.lms.enrol(COURSE, { user: { sub, name: 'Now a teacher' }, role: 'teacher' });
      await submitGrade(change(env, sub, 70));
      const done = await settled(env, sub);
      assert.equal(done.state, 'failed');
      assert.match(
        done.reason ?? '',
        new RegExp(`${profile === 'moodle' ? 400 : 422}: User .* is not a student`),
      );
      assert.equal(receivedFor(env, sub).length, 0);
    });

    test('a lost answer: the retry meets 409, the LMS already holds our score, so it counts as sent', async () => {
      const sub = newStudent(env);
      const id = await submitGrade(change(env, sub, 65));
      const first = await settled(env, sub);
      assert.equal(first.state, 'sent');
      // As if the tool had died after the LMS stored the score but before recording it: the slot
      // record is gone and the delivery is pending again after one attempt with that timestamp.
      await worker.stop();
      const [slot] = await slots().find({ sub }).toArray();
      await slots().deleteOne({ _id: slot._id });
      const eventAt = new Date(first.lastSent!.timestamp);
      await deliveries().insertOne({
        ...change(env, sub, 65),
        _id: id,
        slot: slot._id,
        platformKey: slot.platformKey,
        eventAt,
        state: 'pending',
        attempts: 1,
        timestamp: first.lastSent!.timestamp,
        nextAttemptAt: new Date(),
        createdAt: eventAt,
        updatedAt: eventAt,
      });
      const resultReads = () => env.lms.faults.requests.filter((r) => r.includes('/results?')).length;
      const reads = resultReads();
      startWorker();
      const after409 = await settled(env, sub);
      assert.equal(after409.state, 'sent');
      if (profile === 'moodle') {
        assert.equal(resultReads(), reads + 1, 'the LMS result was read after the 409');
        assert.equal(receivedFor(env, sub).length, 1, 'the LMS stored the score once');
      } else {
        // Canvas refuses only earlier timestamps: the same score again is simply accepted.
        assert.equal(receivedFor(env, sub).length, 2);
      }
    });

    test('ten answers 0.1–0.5 s apart: every score accepted, none refused, the LMS ends with the latest', async () => {
      const sub = newStudent(env);
      const posts = () => env.lms.faults.requests.filter((r) => r.includes('/scores')).length;
      const before = posts();
      for (let i = 1; i <= 10; i++) {
        await submitGrade(change(env, sub, i * 10));
        await new Promise((r) => setTimeout(r, 100 + ((i * 37) % 5) * 100));
      }
      await until(
        'the last grade in the LMS',
        async () => (await gradeOf(env, sub))?.lastSent?.given === 100,
      );
      const got = receivedFor(env, sub);
      assert.equal(posts() - before, got.length, 'every score post was accepted (no 409, no retry)');
      assert.ok(
        got.length < 10,
        `quick answers coalesce while a send waits for the next second (${got.length} posts)`,
      );
      const seconds = got.map((r) => Math.floor(Date.parse(r.score.timestamp) / 1000));
      for (let i = 1; i < seconds.length; i++)
        assert.ok(seconds[i] > seconds[i - 1], `timestamps step by whole seconds: ${seconds}`);
      const lms = env.lms.gradebook(COURSE).results.find((r) => r.userId === sub);
      assert.equal(lms?.resultScore, 100);
      assert.equal((await gradeOf(env, sub))?.state, 'sent');
    });

    test('the LMS holds another score from the same second (the tool lost its record): sent again, newer', async () => {
      const sub = newStudent(env);
      await worker.stop();
      const t0 = Math.floor(Date.now() / 1000) * 1000 + 100;
      await submitGrade(change(env, sub, 60, { eventAt: new Date(t0) }));
      startWorker();
      const first = await settled(env, sub);
      assert.equal(first.state, 'sent');
      await worker.stop();
      await slots().deleteOne({ _id: (await slots().findOne({ sub }))!._id });
      await submitGrade(change(env, sub, 80, { eventAt: new Date(t0 + 300) }));
      startWorker();
      const done = await settled(env, sub);
      assert.equal(done.state, 'sent', done.reason);
      assert.equal(done.lastSent?.given, 80);
      assert.equal(env.lms.gradebook(COURSE).results.find((r) => r.userId === sub)?.resultScore, 80);
      const got = receivedFor(env, sub);
      assert.deepEqual(
        got.map((r) => r.score.scoreGiven),
        [60, 80],
      );
      if (profile === 'moodle')
        assert.ok(
          Math.floor(Date.parse(got[1].score.timestamp) / 1000) > Math.floor(t0 / 1000),
          'the score sent again carries a later second than the one Moodle holds',
        );
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
      assert.equal((await settled(env, sub, 'link-without-column')).state, 'sent');
      const column = env.lms
        .gradebook(COURSE)
        .lineItems.find((l) => l.resourceLinkId === 'link-without-column');
      assert.ok(column, 'the tool created the column');
      assert.equal(column.label, 'Fractions');
      const other = newStudent(env);
      await submitGrade(change(env, other, 20, { link: { ...link, label: 'Fractions (renamed)' } }));
      assert.equal((await settled(env, other, 'link-without-column')).state, 'sent');
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
      const done = await settled(env, sub, 'link-nowhere');
      assert.equal(done.state, 'failed');
      assert.match(done.reason ?? '', /did not grant Wayfinder the scope to create one/);
    });
  });
