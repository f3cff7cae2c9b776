import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { importContent } from '../../src/content/import.js';
import { recordSimulatedLearners, SIMULATED_SUB_PREFIX } from '../../src/recommend/simulate/activity.js';
import { plantedDataset } from '../unit/recommend/fixtures.js';
import { startTestTool, TEST_ADMIN_TOKEN, type TestTool } from '../support/tool.js';

/**
 * The recommender's admin API on the real tool: training from the activity log in a worker thread
 * (the server keeps answering), progress as server-sent events, versions with learning curves,
 * promote / roll back with hot swap (the predict endpoint reports the serving version).
 */
let tool: TestTool;
const tenantId = 't_recommend_admin';
const courseId = 'c_recommend_admin';
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

before(async () => {
  tool = await startTestTool({ LABEL: 'recommend_admin' });
  // The planted data's 24 items in 4 skills, as the course's content.
  const content = {
    format: 'wayfinder-content/1',
    skills: [0, 1, 2, 3].map((k) => ({ id: `s${k}`, name: `Skill ${k}` })),
    items: Array.from({ length: 24 }, (_, i) => ({ id: `i${i}`, title: `Item ${i}`, type: 'numeric', skills: [`s${i % 4}`], answer: { value: i } })),
    pathways: [],
  };
  await importContent(JSON.stringify(content), 'json', { tenantId, courseId }, 'test');
  await recordSimulatedLearners({ tenantId, courseId, issuer: 'https://lms.example' }, plantedDataset(24, 7, 30));
});
after(async () => tool.close());

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${tool.url}${path}`, { method, headers: { ...auth, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field below
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Reads a job's event stream to its end while polling /healthz; returns the stream text and what /healthz answered meanwhile. */
async function followJob(jobId: string): Promise<{ text: string; health: number[]; healthWhileTraining: number }> {
  const stream = await fetch(`${tool.url}/api/admin/models/jobs/${jobId}/events`, { headers: auth });
  assert.equal(stream.status, 200);
  assert.match(stream.headers.get('content-type') ?? '', /text\/event-stream/);
  let done = false;
  const health: number[] = [];
  let healthWhileTraining = 0;
  const poll = (async () => {
    while (!done) {
      const res = await fetch(`${tool.url}/healthz`);
      health.push(res.status);
      const job = (await api('GET', `/api/admin/models/jobs/${jobId}`)).body.job;
      if (job.status === 'training') healthWhileTraining++;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const text = await stream.text();
  done = true;
  await poll;
  return { text, health, healthWhileTraining };
}

async function predictVersion(): Promise<string> {
  const r = await api('POST', '/api/admin/predict', { tenantId, courseId, sub: `${SIMULATED_SUB_PREFIX}L0`, candidates: ['i1', 'i2', 'i3'] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.predictions.length, 3);
  for (const p of r.body.predictions) assert.ok(p.probability > 0 && p.probability < 1);
  return r.body.modelVersion;
}

test('training from the server runs in a worker with SSE progress; promote, hot swap and roll back', async () => {
  assert.equal(await predictVersion(), 'fallback:irt-per-skill', 'no model yet: the fallback answers');

  const started = await api('POST', '/api/admin/models/train', { model: 'matching', tenantId, courseId, epochs: 2 });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const { text, health, healthWhileTraining } = await followJob(started.body.job.id);
  assert.match(text, /event: status\ndata: .*"training"/);
  assert.match(text, /event: epoch\ndata: .*"validAuc"/);
  assert.match(text, /event: done\n/);
  assert.ok(health.length > 0 && health.every((s) => s === 200), `healthz answered ${health.join(',')}`);
  assert.ok(healthWhileTraining > 0, 'the event loop answered while the worker was training');

  const job = (await api('GET', `/api/admin/models/jobs/${started.body.job.id}`)).body.job;
  assert.equal(job.status, 'done');
  const first: string = job.version;

  const listed = await api('GET', `/api/admin/models?tenantId=${tenantId}`);
  const v = listed.body.versions.find((x: { version: string }) => x.version === first);
  assert.equal(v.status, 'candidate');
  assert.ok(v.curve.length >= 1 && typeof v.curve[0].validAuc === 'number', 'per-epoch validation AUC for the learning curve');
  assert.ok(v.metrics.validAuc > 0.5, `held-out AUC ${v.metrics.validAuc}`);

  assert.equal((await api('POST', `/api/admin/models/${first}/promote`)).status, 200);
  assert.equal(await predictVersion(), first, 'promoted version serves without a restart');

  const second = await api('POST', '/api/admin/models/train', { model: 'irt', tenantId, courseId, promote: 'always' });
  const secondJob = await followJob(second.body.job.id);
  assert.match(secondJob.text, /event: done\n/);
  const secondVersion = (await api('GET', `/api/admin/models/jobs/${second.body.job.id}`)).body.job.version;
  assert.equal(await predictVersion(), secondVersion);

  const rolled = await api('POST', `/api/admin/models/${secondVersion}/rollback`);
  assert.equal(rolled.status, 200, JSON.stringify(rolled.body));
  assert.equal(rolled.body.version.version, first);
  assert.equal(await predictVersion(), first, 'rollback swaps back');
  assert.equal((await api('POST', `/api/admin/models/${secondVersion}/rollback`)).status, 409, 'a retired version cannot be rolled back');
});

test('champion/challenger records both AUCs and the decision', async () => {
  const r = await api('POST', '/api/admin/models/train', { model: 'item-rate', tenantId, courseId, promote: 'if-not-worse' });
  await followJob(r.body.job.id);
  const job = (await api('GET', `/api/admin/models/jobs/${r.body.job.id}`)).body.job;
  const done = job.events.find((e: { type: string }) => e.type === 'done');
  assert.equal(typeof done.decision.challengerAuc, 'number');
  assert.equal(typeof done.decision.championAuc, 'number');
  const stored = (await api('GET', `/api/admin/models?tenantId=${tenantId}&courseId=${courseId}`)).body.versions.find((x: { version: string }) => x.version === job.version);
  assert.equal(stored.decision.promoted, done.decision.challengerAuc >= done.decision.championAuc);
  assert.equal(stored.status, stored.decision.promoted ? 'active' : 'candidate');
});

test('refusals say what to fix', async () => {
  const bad = await api('POST', '/api/admin/models/train', { model: 'nope', tenantId });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /model: must be one of matching/);
  assert.equal((await api('GET', '/api/admin/models/jobs/unknown')).status, 404);
  assert.equal((await api('POST', '/api/admin/models/0123456789abcdef01234567/promote')).status, 404);
  assert.equal((await api('POST', '/api/admin/models/not-an-id/promote')).status, 404);
  const noItems = await api('POST', '/api/admin/predict', { tenantId, courseId, sub: 'x', candidates: [] });
  assert.equal(noItems.status, 400);
  const few = await api('POST', '/api/admin/models/train', { model: 'irt', tenantId, courseId: 'c_empty' });
  const failed = await followJob(few.body.job.id);
  assert.match(failed.text, /event: failed\ndata: .*at least 5/);
  const anonymous = await fetch(`${tool.url}/api/admin/models`);
  assert.equal(anonymous.status, 401);
});

test('the retraining loop: one challenger per active scope and slot, decided by held-out AUC', async () => {
  const { retrainActive } = await import('../../src/recommend/retrain.js');
  const { jobFinished } = await import('../../src/recommend/jobs.js');
  const jobs = await retrainActive({ tenantId }, 'test-slot');
  assert.equal(jobs.length, 1, 'one active scope in this tenant');
  assert.deepEqual(await retrainActive({ tenantId }, 'test-slot'), [], 'a claimed slot is not retrained twice');
  const done = await jobFinished(jobs[0].id);
  assert.equal(done.status, 'done', done.error);
  const event = done.events.find((e) => e.type === 'done');
  assert.ok(event?.type === 'done' && event.decision && typeof event.decision.championAuc === 'number' && typeof event.decision.challengerAuc === 'number');
});
