// bench:launch — full LTI launches (login initiation → platform auth → id_token POST → landing
// page) from the platform simulator against the tool running as its own process on the embedded
// database, at concurrency 1 and 32; the same process's bare GET /healthz rate is the ceiling.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startEmbedded } from '../src/db/embedded.js';
import { startDevLms } from '../src/devlms/index.js';
import { fmt, printTable, runConcurrent } from './support.js';

const LAUNCHES = Number(process.env.LAUNCHES ?? 2000);
const ADMIN = 'bench-admin-token-0123456789';

const db = await startEmbedded(mkdtempSync(join(tmpdir(), 'wayfinder-bench-')));
const port = await freePort();
const toolUrl = `http://localhost:${port}`;
const tool = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
  env: { ...process.env, NODE_ENV: 'test', PORT: String(port), PUBLIC_URL: toolUrl, MONGODB_URI: `${db.uri}bench_launch`, DEV_LMS: '0', ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${toolUrl}/healthz`)).ok) break;
  } catch {
    /* not up yet */
  }
  if (i > 600) throw new Error('the tool did not start');
  await new Promise((r) => setTimeout(r, 100));
}

const lms = await startDevLms({
  port: 0,
  toolUrl,
  clientId: 'bench',
  deploymentId: '1',
  preRegistered: { clientId: 'bench', toolJwksUrl: `${toolUrl}/lti/keys`, loginUrl: `${toolUrl}/lti/login`, launchUrl: `${toolUrl}/lti/launch`, deepLinking: true },
});
const reg = await fetch(`${toolUrl}/api/admin/platforms`, {
  method: 'POST',
  headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
  body: JSON.stringify(lms.registration('bench')),
});
if (reg.status !== 201) throw new Error(`registration failed: ${await reg.text()}`);

const users = ['4', '5', '6', '3'];
async function launch(i: number): Promise<void> {
  const r = await lms.launch({ clientId: 'bench', user: users[i % users.length], role: users[i % users.length] === '3' ? 'teacher' : 'student' });
  if (r.status !== 200) throw new Error(`launch ${i} answered ${r.status}: ${r.body.slice(0, 200)}`);
}

process.stderr.write('warming up…\n');
await runConcurrent(50, 8, launch);
process.stderr.write(`${LAUNCHES} launches at concurrency 1…\n`);
const serial = await runConcurrent(LAUNCHES, 1, launch);
process.stderr.write(`${LAUNCHES} launches at concurrency 32…\n`);
const parallel = await runConcurrent(LAUNCHES, 32, launch);
process.stderr.write('ceiling: GET /healthz at concurrency 32…\n');
const ceiling = await runConcurrent(LAUNCHES * 2, 32, async () => {
  const r = await fetch(`${toolUrl}/healthz`);
  await r.arrayBuffer();
});

printTable(
  ['what', 'n', 'concurrency', 'per second', 'p50 ms', 'p99 ms'],
  [
    ['full launch', serial.count, 1, fmt(serial.perSecond), fmt(serial.p50Ms, 2), fmt(serial.p99Ms, 2)],
    ['full launch', parallel.count, 32, fmt(parallel.perSecond), fmt(parallel.p50Ms, 2), fmt(parallel.p99Ms, 2)],
    ['GET /healthz (ceiling)', ceiling.count, 32, fmt(ceiling.perSecond), fmt(ceiling.p50Ms, 2), fmt(ceiling.p99Ms, 2)],
  ],
);
console.log(`launch rate / ceiling: ${fmt(parallel.perSecond / ceiling.perSecond, 3)}`);
console.log(
  JSON.stringify({
    launches: LAUNCHES,
    launchesPerSecond: Number(parallel.perSecond.toFixed(1)),
    p50Ms: Number(parallel.p50Ms.toFixed(2)),
    p99Ms: Number(parallel.p99Ms.toFixed(2)),
    serialLaunchesPerSecond: Number(serial.perSecond.toFixed(1)),
    serialP50Ms: Number(serial.p50Ms.toFixed(2)),
    serialP99Ms: Number(serial.p99Ms.toFixed(2)),
    ceilingPerSecond: Number(ceiling.perSecond.toFixed(1)),
  }),
);
await lms.stop();
tool.kill('SIGTERM');
await new Promise((r) => tool.once('exit', r));
await db.stop();
