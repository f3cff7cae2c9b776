import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { submitGrade } from '../../src/grades/index.js';
import { startTestTool } from '../support/tool.js';
import { startToolAndLms, type ToolAndLms } from '../support/lti.js';
import { change, gradeOf, newStudent, outboxOf, receivedFor, until } from './grades_support.js';

let env: ToolAndLms;
before(async () => {
  env = await startToolAndLms({ LABEL: 'grades_restart' });
});
after(async () => {
  await env.lms.stop();
  await env.tool.close(); // the tool started after the restart
});

test('the tool restarts while scores are pending: they arrive after the restart, once each', async () => {
  // The LMS is down for scores: every attempt fails and is rescheduled.
  env.lms.faults.failNext(10_000, 503, '/scores', 'maintenance');
  const subs = Array.from({ length: 5 }, () => newStudent(env));
  for (const sub of subs) await submitGrade(change(env, sub, 70));
  await until('every grade to have been tried and rescheduled', async () => {
    const docs = await Promise.all(subs.map(outboxOf));
    return docs.every(
      ([d]) => d?.state === 'pending' && d.attempts >= 1 && /maintenance/.test(d.reason ?? ''),
    );
  });

  // Stop the tool (its worker finishes what is in flight), then a new tool on the same database
  // and port (the LMS knows the tool's key set by its URL).
  const { config } = env.tool;
  await env.tool.close();
  env.lms.faults.reset();
  env.tool = await startTestTool({
    LABEL: 'grades_restart',
    PORT: String(config.port),
    PUBLIC_URL: config.publicUrl,
    MONGODB_URI: config.mongodbUri as string,
  });
  // Backoff of the failed attempts may be seconds; the new worker picks them up when due.
  env.tool.grades.options.pollMs = 100;

  await until(
    'every grade to arrive after the restart',
    async () => (await Promise.all(subs.map((sub) => gradeOf(env, sub)))).every((g) => g?.state === 'sent'),
    60_000,
  );
  for (const sub of subs)
    assert.equal(receivedFor(env, sub).length, 1, `${sub}: exactly one score in the LMS`);
});
