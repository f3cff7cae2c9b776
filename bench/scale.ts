// bench:scale — do request paths slow down as the database grows? Seeds statements over
// 5 tenants × 10 courses × 200 learners (the measured course is a real dev-LMS course of the
// first tenant, with the demo content; the rest is other courses and other tenants), measures at
// SCALE_SMALL statements (10,000), grows to SCALE_STATEMENTS (1,000,000) and measures again, with
// the same tool process (its own process) on the same embedded database: launch, student landing
// page, answer → feedback (one at a time, then 8 in flight), teacher overview, learner drill-down
// (p50/p99 of SCALE_SAMPLES each), then the idle CPU of the tool and its database over
// SCALE_IDLE_SECONDS (60). The measured learners' own answers go through the real write path;
// the bulk goes straight into the statement log (and the learner states built from it), in bulk.
import { readFileSync, readdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { DEMO_FILE, seedDemoContent } from '../src/content/demo.js';
import type { ContentFile } from '../src/content/format.js';
import { courseId, tenantId } from '../src/lti/tenancy.js';
import type { StoredStatement } from '../src/activity/index.js';
import { flushLearnerStates, seedLearnerStates } from './scale_states.js';
import { fmt, printTable, runConcurrent } from './support.js';
import { BENCH_CLIENT_ID, startToolProcess } from './tool_process.js';

const LARGE = Number(process.env.SCALE_STATEMENTS ?? 1_000_000);
const SMALL = Math.min(LARGE, Number(process.env.SCALE_SMALL ?? 10_000));
const SAMPLES = Number(process.env.SCALE_SAMPLES ?? 20);
const IDLE_SECONDS = Number(process.env.SCALE_IDLE_SECONDS ?? 60);
const TENANTS = 5;
const COURSES = 10;
const LEARNERS = 200;
const MEASURED = 8; // learners of the measured course who launch, load pages and answer
const DAY_MS = 864e5;

const bench = await startToolProcess('scale');
const { lms, toolUrl } = bench;
await mongoose.connect(bench.dbUri);
const db = mongoose.connection.db!;

const realTenant = tenantId(lms.issuer, BENCH_CLIENT_ID, '1');
await seedDemoContent(realTenant);
const demo = JSON.parse(readFileSync(DEMO_FILE, 'utf8')) as ContentFile;
const pathway = demo.pathways[0];
const items = pathway.items.map((id) => demo.items.find((i) => i.id === id)!);
const graded = demo.items.filter((i) => ['multiple_choice', 'numeric', 'short_text'].includes(i.type));

// The measured course: the dev LMS's default course, as the tool names it.
const teacherLaunch = await lms.launch({ clientId: BENCH_CLIENT_ID, role: 'teacher', user: '3', nrps: false });
const teacherLtik = new URL(teacherLaunch.url).searchParams.get('ltik')!;
const realCourse = ((await db.collection('wf_launches').find({ role: 'teacher' }).limit(1).next()) as unknown as { courseId: string }).courseId;

const tenants = [realTenant, ...Array.from({ length: TENANTS - 1 }, (_, t) => tenantId(`https://lms-${t}.example`, 'other', '1'))];
const courseOf = (t: number, c: number) => (t === 0 && c === 0 ? realCourse : courseId(tenants[t], `ctx-${c}`));
const LEARNERS_TOTAL = TENANTS * COURSES * LEARNERS;

/** Statement i of the bulk: learner i mod 10,000, spread over the last 60 days, mostly answers. */
function bulkStatement(i: number, now: number): StoredStatement {
  const learner = i % LEARNERS_TOTAL;
  const n = Math.floor(i / LEARNERS_TOTAL);
  const t = Math.floor(learner / (COURSES * LEARNERS));
  const c = Math.floor(learner / LEARNERS) % COURSES;
  const item = graded[(learner * 7 + n) % graded.length];
  const timestamp = new Date(now - 60 * DAY_MS + (i * 60 * DAY_MS) / LARGE);
  const kind = n % 10;
  const base = {
    _id: randomUUID(),
    tenantId: tenants[t],
    courseId: courseOf(t, c),
    issuer: t === 0 ? lms.issuer : `https://lms-${t - 1}.example`,
    sub: `s-${learner % LEARNERS}`,
    object: { id: item.id, kind: 'item' as const },
    context: { launchId: 'bench-bulk', resourceLinkId: 'bench-link' },
    timestamp,
    stored: timestamp,
    day: timestamp.toISOString().slice(0, 10),
    preview: false,
  };
  if (kind === 0) return { ...base, verb: 'viewed' };
  if (kind === 1) return { ...base, verb: 'recommendation-shown', context: { ...base.context, recommendationId: `r-${i}`, extensions: { reason: { key: 'player.reason.notYetDone' }, predictedSuccess: 0.7 } } };
  return { ...base, verb: 'answered', result: { success: (learner + n) % 3 !== 0, score: { scaled: (learner + n) % 3 !== 0 ? 1 : 0 } } };
}

/** Statements seeded so far (the measured requests add their own few hundred). */
let seeded = 0;

async function seedBulk(from: number, to: number): Promise<number> {
  const now = Date.now();
  const started = performance.now();
  for (let i = from; i < to; i += 1000) {
    const docs = Array.from({ length: Math.min(1000, to - i) }, (_, k) => bulkStatement(i + k, now));
    await db.collection<StoredStatement>('wf_statements').insertMany(docs, { ordered: false });
    await seedLearnerStates(docs);
    seeded += docs.length;
    if ((i / 1000) % 50 === 0) process.stderr.write(`  seeded ${i + docs.length} of ${to}\n`);
  }
  process.stderr.write(`  ${await flushLearnerStates()} learner states written\n`);
  return (performance.now() - started) / 1000;
}

// The measured learners: students of the measured course, launched once each for their ltik.
async function studentLtik(l: number): Promise<string> {
  const r = await lms.launch({ clientId: BENCH_CLIENT_ID, user: { sub: `s-${l}`, name: `Learner ${l}` }, role: 'student' });
  if (r.status !== 200) throw new Error(`launch of s-${l} answered ${r.status}`);
  return new URL(r.url).searchParams.get('ltik')!;
}

async function get(path: string): Promise<void> {
  const res = await fetch(`${toolUrl}${path}`);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 200)}`);
}

let answerN = 0;
async function answer(ltik: string): Promise<void> {
  const n = answerN++;
  const item = items[n % items.length];
  const body = new URLSearchParams({ ltik, pathway: pathway.id, shownAt: String(Date.now() - 20_000) });
  if (item.type === 'multiple_choice') body.append('choice', item.choices![n % item.choices!.length].id);
  else if (item.type === 'reading' || item.type === 'video') body.append('done', '1');
  else body.append('text', n % 2 ? '3/4' : '12');
  const res = await fetch(`${toolUrl}/student/items/${item.id}/answer`, { method: 'POST', body });
  const html = await res.text();
  if (res.status !== 200 || !html.includes('id="feedback"')) throw new Error(`answer: ${res.status} ${html.slice(0, 200)}`);
}

interface Round {
  statements: number;
  launch: { p50Ms: number; p99Ms: number };
  page: { p50Ms: number; p99Ms: number };
  answer: { p50Ms: number; p99Ms: number };
  answer8: { p50Ms: number; p99Ms: number; perSecond: number };
  overview: { p50Ms: number; p99Ms: number };
  overviewFirstMs: number;
  drillDown: { p50Ms: number; p99Ms: number };
}

/** Each figure is printed as soon as it is measured, so a run cut short still says what it saw. */
async function step<T extends { p50Ms: number; p99Ms: number }>(what: string, run: () => Promise<T>): Promise<T> {
  const r = await run();
  process.stderr.write(`  ${what}: p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms\n`);
  return r;
}

async function measure(label: string): Promise<Round> {
  // Counted here, not asked of the database: a count on FerretDB v1 reads every document (minutes at 1M).
  const statements = seeded;
  process.stderr.write(`measuring at ${statements} statements (${label})…\n`);
  const launch = await step('launch', () => runConcurrent(SAMPLES, 1, async (i) => void (await studentLtik(i % MEASURED))));
  const ltiks = await Promise.all(Array.from({ length: MEASURED }, (_, l) => studentLtik(l)));
  const page = await step('student page', () => runConcurrent(SAMPLES, 1, (i) => get(`/student?ltik=${encodeURIComponent(ltiks[i % MEASURED])}`)));
  const serial = await step('answer', () => runConcurrent(SAMPLES, 1, (i) => answer(ltiks[i % MEASURED])));
  const eight = await step('answer, 8 in flight', () => runConcurrent(Math.max(SAMPLES, 16), 8, (i) => answer(ltiks[i % MEASURED])));
  const t0 = performance.now();
  await get(`/teacher?ltik=${encodeURIComponent(teacherLtik)}`);
  const overviewFirstMs = performance.now() - t0;
  const overview = await step('overview', () => runConcurrent(SAMPLES, 1, () => get(`/teacher?ltik=${encodeURIComponent(teacherLtik)}`)));
  const drillDown = await step('drill-down', () => runConcurrent(SAMPLES, 1, (i) => get(`/teacher/courses/${realCourse}/learners/s-${i % MEASURED}?ltik=${encodeURIComponent(teacherLtik)}`)));
  return { statements, launch, page, answer: serial, answer8: eight, overview, overviewFirstMs, drillDown };
}

const ticks = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (1/100 s on Linux)
};
function ferretPid(): number | undefined {
  const port = new URL(bench.dbUri).port;
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`127.0.0.1:${port}`)) return Number(p);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

const smallSeed = await seedBulk(0, SMALL);
const small = await measure('small');
const largeSeed = await seedBulk(SMALL, LARGE);
const large = await measure('large');

const dbPid = ferretPid();
const pids = [bench.pid!, ...(dbPid ? [dbPid] : [])];
const before = pids.map(ticks);
await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
const cpu = pids.map((p, i) => (ticks(p) - before[i]) / IDLE_SECONDS); // ticks/s at 100 Hz = percent of a core
const idleCpuPercent = cpu.reduce((a, b) => a + b, 0);

console.log(`\nbench:scale — ${TENANTS} tenants × ${COURSES} courses × ${LEARNERS} learners; seeded ${SMALL} in ${fmt(smallSeed)} s, grown to ${large.statements} in ${fmt(largeSeed)} s more; ${SAMPLES} samples each; embedded ${bench.db.kind}`);
const row = (what: string, s: { p50Ms: number; p99Ms: number }, l: { p50Ms: number; p99Ms: number }) => [what, fmt(s.p50Ms), fmt(s.p99Ms), fmt(l.p50Ms), fmt(l.p99Ms), fmt(l.p50Ms / s.p50Ms, 2)];
printTable(['request', `p50 ms @${small.statements}`, 'p99 ms', `p50 ms @${large.statements}`, 'p99 ms', 'large/small'], [
  row('launch', small.launch, large.launch),
  row('student landing page', small.page, large.page),
  row('answer → feedback', small.answer, large.answer),
  row('answer → feedback, 8 in flight', small.answer8, large.answer8),
  row('teacher overview', small.overview, large.overview),
  row('learner drill-down', small.drillDown, large.drillDown),
]);
console.log(`answers/s with 8 in flight: ${fmt(small.answer8.perSecond)} small, ${fmt(large.answer8.perSecond)} large; first overview view ${fmt(small.overviewFirstMs)} ms small, ${fmt(large.overviewFirstMs)} ms large`);
console.log(`idle CPU over ${IDLE_SECONDS} s: tool ${fmt(cpu[0], 2)}%, database ${dbPid ? fmt(cpu[1], 2) : '?'}% of a core`);
const r2 = (n: number) => Number(n.toFixed(2));
console.log(
  JSON.stringify({
    statementsSmall: small.statements,
    statementsLarge: large.statements,
    samples: SAMPLES,
    launchP50MsSmall: r2(small.launch.p50Ms),
    launchP50MsLarge: r2(large.launch.p50Ms),
    pageP50MsSmall: r2(small.page.p50Ms),
    pageP50MsLarge: r2(large.page.p50Ms),
    answerP50MsSmall: r2(small.answer.p50Ms),
    answerP50MsLarge: r2(large.answer.p50Ms),
    answer8P50MsLarge: r2(large.answer8.p50Ms),
    answer8PerSecondLarge: r2(large.answer8.perSecond),
    drillDownP50MsSmall: r2(small.drillDown.p50Ms),
    drillDownP50MsLarge: r2(large.drillDown.p50Ms),
    overviewP50MsSmall: r2(small.overview.p50Ms),
    overviewP50MsLarge: r2(large.overview.p50Ms),
    overviewFirstMsLarge: r2(large.overviewFirstMs),
    idleCpuPercent: r2(idleCpuPercent),
    idleCpuToolPercent: r2(cpu[0]),
    idleCpuDatabasePercent: dbPid ? r2(cpu[1]) : null,
  }),
);

await mongoose.disconnect();
await bench.stop();
process.exit(0);
