import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { importContent } from '../../src/content/import.js';
import type { Dataset } from '../../src/recommend/data/interactions.js';
import { jobFinished } from '../../src/recommend/jobs.js';
import { retrainActive } from '../../src/recommend/retrain.js';
import { recordSimulatedLearners, SIMULATED_SUB_PREFIX } from '../../src/recommend/simulate/activity.js';
import { loadVersion, saveVersion } from '../../src/recommend/store.js';
import { plantedDataset } from '../unit/recommend/fixtures.js';
import { startTestTool, TEST_ADMIN_TOKEN, type TestTool } from '../support/tool.js';

/**
 * Online adaptation on the real tool: a tenant-wide model serves a course that has none of its own;
 * the course's model is adapted from it (admin API, and the retraining loop once enough new answers
 * arrived), promoted only if not worse than the tenant model on the course's held-out learners, and
 * rolled back to the tenant model. The course's items are its own (ids the tenant model never saw).
 */
let tool: TestTool;
const tenantId = 't_recommend_adapt';
const tenantCourse = 'c_adapt_tenant';
const course = 'c_adapt_course';
const courseWorld = { seed: 77, prefix: 'c', spread: 2 };
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const issuer = 'https://lms.example';

async function importItems(courseId: string, prefix: string): Promise<void> {
  const content = {
    format: 'wayfinder-content/1',
    skills: [0, 1, 2, 3].map((k) => ({ id: `s${k}`, name: `Skill ${k}` })),
    items: Array.from({ length: 24 }, (_, i) => ({ id: `${prefix}${i}`, title: `Item ${i}`, type: 'numeric', skills: [`s${i % 4}`], answer: { value: i } })),
    pathways: [],
  };
  await importContent(JSON.stringify(content), 'json', { tenantId, courseId }, 'test');
}

const renamed = (d: Dataset, prefix: string): Dataset => ({ ...d, learners: d.learners.map((l) => ({ ...l, learnerId: `${prefix}${l.learnerId}` })) });

before(async () => {
  tool = await startTestTool({ LABEL: 'recommend_adapt' });
  await importItems(tenantCourse, 'i');
  await importItems(course, 'c');
  await recordSimulatedLearners({ tenantId, courseId: tenantCourse, issuer }, plantedDataset(60, 41, 30));
});
after(async () => tool.close());

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${tool.url}${path}`, { method, headers: { ...auth, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field below
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Starts a job through the API and waits for it (the job runs in the tool's process). */
async function train(body: Record<string, unknown>) {
  const started = await api('POST', '/api/admin/models/train', body);
  assert.equal(started.status, 202, JSON.stringify(started.body));
  for (;;) {
    const { job } = (await api('GET', `/api/admin/models/jobs/${started.body.job.id}`)).body;
    if (job.status === 'done' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function servingVersion(courseId: string): Promise<string> {
  const r = await api('POST', '/api/admin/predict', { tenantId, courseId, sub: `${SIMULATED_SUB_PREFIX}L0`, candidates: courseId === course ? ['c1', 'c2'] : ['i1', 'i2'] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.modelVersion;
}

let tenantVersion: string;

test('a course is adapted from the tenant model, promoted against it, served, and rolled back to it', async () => {
  const tenantJob = await train({ model: 'matching', tenantId, epochs: 3, promote: 'always' });
  assert.equal(tenantJob.status, 'done', tenantJob.error);
  tenantVersion = tenantJob.version;
  assert.equal(await servingVersion(course), tenantVersion, 'a course without its own model is served by its tenant');

  await recordSimulatedLearners({ tenantId, courseId: course, issuer }, plantedDataset(40, 43, 40, courseWorld));
  const job = await train({ model: 'matching', tenantId, courseId: course, adaptFrom: 'tenant', promote: 'if-not-worse' });
  assert.equal(job.status, 'done', job.error);
  const done = job.events.find((e: { type: string }) => e.type === 'done');
  assert.equal(done.decision.championVersion, tenantVersion, 'the champion is the tenant model that serves the course now');
  assert.match(done.decision.reason, /tenant model/);
  assert.ok(done.decision.promoted, `adapted ${done.decision.challengerAuc} vs tenant ${done.decision.championAuc} on the course's held-out learners`);

  const listed = (await api('GET', `/api/admin/models?tenantId=${tenantId}&courseId=${course}`)).body.versions;
  const adapted = listed.find((v: { version: string }) => v.version === job.version);
  assert.equal(adapted.adaptedFrom, tenantVersion);
  assert.equal(adapted.status, 'active');
  assert.equal(adapted.metrics.answers, 40 * 40);
  assert.equal(await servingVersion(course), job.version, 'the serving lookup picks the course version');
  assert.equal(await servingVersion(tenantCourse), tenantVersion, 'other courses keep the tenant model');

  const rolled = await api('POST', `/api/admin/models/${job.version}/rollback`);
  assert.equal(rolled.status, 200, JSON.stringify(rolled.body));
  assert.equal(rolled.body.version.version, tenantVersion, 'a course with no earlier version of its own goes back to the tenant model');
  assert.equal(await servingVersion(course), tenantVersion);
  assert.equal((await api('POST', `/api/admin/models/${job.version}/rollback`)).status, 409, 'a retired version cannot be rolled back again');
});

test('refusals: no course, another tenant\'s model, another model kind', async () => {
  const noCourse = await api('POST', '/api/admin/models/train', { model: 'matching', tenantId, adaptFrom: 'tenant' });
  assert.equal(noCourse.status, 400);
  assert.match(noCourse.body.error.message, /courseId: adaptFrom adapts a model to a course/);

  // A model trained on another tenant's learners must never start this tenant's course model.
  const foreign = await saveVersion((await loadVersion(tenantVersion)).state, { model: 'matching', data: 'other', metrics: {}, backend: 'wasm', created: new Date() }, { tenantId: 't_other_adapt' });
  const stolen = await train({ model: 'matching', tenantId, courseId: course, adaptFrom: foreign });
  assert.equal(stolen.status, 'failed');
  assert.match(stolen.error, new RegExp(`model version ${foreign} not found`));

  const kind = await train({ model: 'relation', tenantId, courseId: course, adaptFrom: 'tenant' });
  assert.equal(kind.status, 'failed');
  assert.match(kind.error, /is a matching model; adapt it with model "matching"/);
});

test('the retraining loop adapts a course once it has enough new answers (threshold configurable)', async () => {
  const courseJobs = async (slot: string, adaptMinAnswers: number) => {
    const jobs = await retrainActive({ tenantId, courseId: course }, slot, { adaptMinAnswers });
    await Promise.all(jobs.map((j) => jobFinished(j.id)));
    assert.ok(jobs.every((j) => j.courseId === course), 'only the course asked for');
    return jobs;
  };
  assert.deepEqual(await courseJobs('adapt-slot-1', 100), [], 'no new answers in the course since its last model');
  await recordSimulatedLearners({ tenantId, courseId: course, issuer }, renamed(plantedDataset(5, 44, 40, courseWorld), 'late-'));
  assert.deepEqual(await courseJobs('adapt-slot-2', 300), [], '200 new answers are below a threshold of 300');
  const [adapting] = await courseJobs('adapt-slot-3', 200);
  assert.ok(adapting, 'at 200 new answers the course is adapted');
  const done = await jobFinished(adapting.id);
  assert.equal(done.status, 'done', done.error);
  const event = done.events.find((e) => e.type === 'done');
  assert.ok(event?.type === 'done' && event.decision?.championVersion, 'decided champion/challenger');
});
