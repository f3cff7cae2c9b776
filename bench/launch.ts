// bench:launch — full LTI launches (login initiation → platform auth → id_token POST → landing
// page) from the platform simulator against the tool running as its own process on the embedded
// database, at concurrency 1 and 32; the same process's bare GET /healthz rate is the ceiling.
import { fmt, printTable, runConcurrent } from './support.js';
import { BENCH_CLIENT_ID, startToolProcess } from './tool_process.js';

const LAUNCHES = Number(process.env.LAUNCHES ?? 2000);
const bench = await startToolProcess('launch');
const { lms, toolUrl } = bench;

const users = ['4', '5', '6', '3'];
async function launch(i: number): Promise<void> {
  const r = await lms.launch({ clientId: BENCH_CLIENT_ID, user: users[i % users.length], role: users[i % users.length] === '3' ? 'teacher' : 'student' });
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
await bench.stop();
