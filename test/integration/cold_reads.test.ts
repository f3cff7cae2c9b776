import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mongoose from 'mongoose';
import request from 'supertest';
import { seedDemoContent } from '../../src/content/demo.js';
import { onNonIdFilter, type NonIdFilter } from '../../src/db/request_reads.js';
import type { LaunchContext } from '../../src/lti/session.js';
import { startToolAndLms, type ToolAndLms } from '../support/lti.js';

/**
 * The first requests of a course (nothing of it cached in the process yet) read by `_id` too:
 * the course's fallback predictor is fitted from its learner states, not from the statement log,
 * and its content version is read from its bundle. request_reads.test.ts checks warm paths.
 */
let env: ToolAndLms;
before(async () => {
  env = await startToolAndLms({ LABEL: 'cold_reads' });
});
after(async () => env?.close());

const link = { resourceLink: { id: 'rl-cold', title: 'Fractions' }, custom: { wayfinder_pathway: 'fractions' } };

test("a course's first student page and answer scan nothing: no log, no content entries, no model versions", async () => {
  const ada = await env.launchAs({ role: 'student', user: { sub: 'ada-cold', name: 'Ada' }, course: '2', ...link });
  const session = (await mongoose.connection.db!.collection('wf_launches').findOne({ sub: 'ada-cold' })) as unknown as LaunchContext;
  await seedDemoContent(session.tenantId);
  const seen: NonIdFilter[] = [];
  const stop = onNonIdFilter((f) => seen.push(f));
  try {
    const q = `ltik=${encodeURIComponent(ada.ltik)}`;
    assert.equal((await request(env.tool.url).get(`/student?${q}`)).status, 200);
    const answer = await request(env.tool.url).post('/student/items/frac-concept-1/answer').type('form').send({ ltik: ada.ltik, pathway: 'fractions', choice: 'a' });
    assert.equal(answer.status, 200, answer.text.slice(0, 300));
  } finally {
    stop();
  }
  const scans = seen.filter((f) => ['wf_statements', 'wf_content_entries', 'model_versions'].includes(f.collection)).map((f) => `${f.route}: ${f.command} ${f.collection} by {${f.fields.join(', ')}}`);
  assert.deepEqual([...new Set(scans)], []);
});
