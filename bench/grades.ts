// bench:grades — SCORES grade changes (default 1,000, one learner each) through the durable outbox
// to the dev LMS with LATENCY_MS (default 50) added to every LMS service request. The tool's own
// worker sends them with its per-platform concurrency limit (CONCURRENCY, default 8). Reports
// scores/s (first grade change to last acknowledgement), p50/p99 from grade change to the LMS
// acknowledging it, and lost/duplicated scores. The last line is one JSON object.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { freePort, startEmbedded } from '../src/db/embedded.js';
import { AGS_SCOPES, startDevLms } from '../src/devlms/index.js';
import { submitGrade } from '../src/grades/index.js';
import { courseId, tenantId } from '../src/lti/tenancy.js';
import { startTool } from '../src/server.js';
import { fmt, percentile, printTable } from './support.js';

const SCORES = Number(process.env.SCORES ?? 1000);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 50);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const ADMIN = 'bench-admin-token-0123456789';
const CLIENT = 'bench';
const COURSE = '2';

const db = process.env.MONGODB_URI
  ? undefined
  : await startEmbedded(mkdtempSync(join(tmpdir(), 'wayfinder-bench-')));
const port = await freePort();
const config = loadConfig({
  ...process.env,
  NODE_ENV: 'test',
  PORT: String(port),
  PUBLIC_URL: `http://localhost:${port}`,
  MONGODB_URI: process.env.MONGODB_URI ?? `${db!.uri}bench_grades`,
  DEV_LMS: '0',
  ADMIN_TOKEN: ADMIN,
  LOG_LEVEL: 'warn',
  LTI_KEY: 'bench-lti-key-0123456789abcdef',
});
const tool = await startTool(config);
tool.grades.options.concurrency = CONCURRENCY;
const lms = await startDevLms({
  port: 0,
  toolUrl: tool.url,
  clientId: CLIENT,
  deploymentId: '1',
  preRegistered: {
    clientId: CLIENT,
    toolJwksUrl: `${tool.url}/lti/keys`,
    loginUrl: `${tool.url}/lti/login`,
    launchUrl: `${tool.url}/lti/launch`,
    deepLinking: true,
  },
});
const reg = await fetch(`${tool.url}/api/admin/platforms`, {
  method: 'POST',
  headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
  body: JSON.stringify({ ...lms.registration(CLIENT), name: 'bench LMS' }),
});
if (reg.status !== 201) throw new Error(`registering the LMS failed: ${reg.status} ${await reg.text()}`);
lms.faults.latencyMs = LATENCY_MS;

const tenant = tenantId(lms.issuer, CLIENT, '1');
const subs = Array.from({ length: SCORES }, (_, i) => `bench-${i}`);
for (const sub of subs) lms.enrol(COURSE, { user: { sub, name: sub }, role: 'student' });
const base = `${lms.url}/mod/lti/services.php/${COURSE}/lineitems`;
const changedAt = new Map<string, number>();

const started = Date.now();
// Grade changes as fast as the producers can queue them (16 at a time), while the worker sends.
let next = 0;
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (next < subs.length) {
      const sub = subs[next++];
      const eventAt = new Date();
      changedAt.set(sub, eventAt.getTime());
      await submitGrade({
        tenantId: tenant,
        courseId: courseId(tenant, COURSE),
        issuer: lms.issuer,
        clientId: CLIENT,
        sub,
        link: {
          resourceLinkId: `wayfinder-${COURSE}`,
          label: 'Wayfinder',
          lineItemUrl: `${base}/default-${COURSE}/lineitem?type_id=1`,
          lineItemsUrl: `${base}?type_id=1`,
          scopes: AGS_SCOPES,
        },
        score: {
          given: (next * 7) % 101,
          maximum: 100,
          activityProgress: 'Completed',
          gradingProgress: 'FullyGraded',
        },
        eventAt,
      });
    }
  }),
);
const queuedSeconds = (Date.now() - started) / 1000;

const deadline = Date.now() + Math.max(120_000, SCORES * 200);
const received = () => lms.gradebook(COURSE).received;
while (received().length < SCORES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

const got = received();
const perLearner = new Map<string, number[]>();
for (const r of got)
  perLearner.set(r.score.userId, [...(perLearner.get(r.score.userId) ?? []), r.receivedAt]);
const lost = subs.filter((s) => !perLearner.has(s)).length;
const duplicated = [...perLearner.values()].reduce((n, list) => n + list.length - 1, 0);
const scorePosts = lms.faults.requests.filter((r) => r.startsWith('POST ') && r.includes('/scores')).length;
const latencies = [...perLearner].map(([sub, [at]]) => at - changedAt.get(sub)!).sort((a, b) => a - b);
const lastAck = Math.max(...got.map((r) => r.receivedAt));
const seconds = (lastAck - started) / 1000;

printTable(
  [
    'scores',
    'LMS latency ms',
    'concurrency',
    'queued in s',
    'all sent in s',
    'scores/s',
    'p50 ms',
    'p99 ms',
    'lost',
    'duplicated',
    'score POSTs',
  ],
  [
    [
      SCORES,
      LATENCY_MS,
      CONCURRENCY,
      fmt(queuedSeconds, 2),
      fmt(seconds, 2),
      fmt(SCORES / seconds),
      fmt(percentile(latencies, 50), 0),
      fmt(percentile(latencies, 99), 0),
      lost,
      duplicated,
      scorePosts,
    ],
  ],
);
await lms.stop();
await tool.close();
await db?.stop();
console.log(
  JSON.stringify({
    scores: SCORES,
    latencyMs: LATENCY_MS,
    concurrency: CONCURRENCY,
    scoresPerSecond: +(SCORES / seconds).toFixed(1),
    p50Ms: Math.round(percentile(latencies, 50)),
    p99Ms: Math.round(percentile(latencies, 99)),
    lost,
    duplicated,
    scorePosts,
  }),
);
process.exit(0);
