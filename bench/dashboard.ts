// bench:dashboard — server time to render the teacher's course overview for LEARNERS learners
// (default 200) × SKILLS skills (15) with STATEMENTS statements (50,000) on the embedded
// database, p50/p99 over RUNS renders (one at a time, after a warm-up), and the weight of the
// heaviest dashboard pages (HTML plus the stylesheets and scripts they load; the tool sends them
// uncompressed, so that is what is transferred; gzip shown for a proxy that compresses).
// Statements are seeded through the activity area's recordForLaunch, one learner at a time.
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import mongoose from 'mongoose';
import { recordForLaunch, type StatementInput } from '../src/activity/index.js';
import { importContent } from '../src/content/import.js';
import type { LaunchContext } from '../src/lti/session.js';
import { courseOverview } from '../src/dashboard/overview.js';
import { fmt, percentile, printTable } from './support.js';
import { BENCH_CLIENT_ID, startToolInProcess } from './tool_process.js';

const LEARNERS = Number(process.env.LEARNERS ?? 200);
const SKILLS = Number(process.env.SKILLS ?? 15);
const STATEMENTS = Number(process.env.STATEMENTS ?? 50_000);
const RUNS = Number(process.env.RUNS ?? 30);
const ITEMS_PER_SKILL = 5;

const { toolUrl, db, lms, stop } = await startToolInProcess('dashboard');

// The teacher's launch fixes the course; no NRPS claim, so names are not fetched from the LMS.
const launched = await lms.launch({ clientId: BENCH_CLIENT_ID, role: 'teacher', user: '3', nrps: false });
const ltik = new URL(launched.url).searchParams.get('ltik')!;
const teacher = (await mongoose.connection.db!.collection('wf_launches').find({}).sort({ createdAt: -1 }).limit(1).next()) as unknown as LaunchContext;
const scope = { tenantId: teacher.tenantId, courseId: teacher.courseId };

// A course of SKILLS skills, ITEMS_PER_SKILL numeric items each, one pathway.
const skills = Array.from({ length: SKILLS }, (_, s) => ({ id: `skill-${s}`, name: `Skill number ${s + 1}` }));
const items = skills.flatMap((s, k) => Array.from({ length: ITEMS_PER_SKILL }, (_, i) => ({ id: `item-${k}-${i}`, title: `Item ${k + 1}.${i + 1}`, type: 'numeric', skills: [s.id], answer: { value: i } })));
await importContent(JSON.stringify({ format: 'wayfinder-content/1', skills, items, pathways: [{ id: 'bench', title: 'Bench pathway', skills: skills.map((s) => s.id), items: items.map((i) => i.id) }] }), 'json', scope, 'bench');

// STATEMENTS / LEARNERS statements per learner over the last 60 days: mostly answers (success
// rising with practice), with views and recommendations shown and followed.
const perLearner = Math.round(STATEMENTS / LEARNERS);
const seedStarted = performance.now();
let seeded = 0;
for (let l = 0; l < LEARNERS; l++) {
  const session = { ...scope, issuer: lms.issuer, sub: `learner-${l}`, role: 'student' as const, testUser: false, launchId: randomUUID(), resourceLinkId: 'bench-link' };
  const ability = (l % 10) / 10;
  const list: StatementInput[] = [];
  for (let n = 0; n < perLearner; n++) {
    const item = items[(l * 7 + n) % items.length];
    const timestamp = new Date(Date.now() - (60 * 864e5 * (perLearner - n)) / perLearner).toISOString();
    const kind = n % 10;
    if (kind === 0) list.push({ verb: 'viewed', object: { id: item.id, kind: 'item' }, timestamp });
    else if (kind === 1) list.push({ verb: 'recommendation-shown', object: { id: item.id, kind: 'item' }, context: { recommendationId: `r-${l}-${n}`, extensions: { reason: { key: 'player.reason.notYetDone' }, predictedSuccess: 0.7 } }, timestamp });
    else if (kind === 2 && l % 3) list.push({ verb: 'recommendation-followed', object: { id: item.id, kind: 'item' }, context: { recommendationId: `r-${l}-${n - 1}` }, timestamp });
    else list.push({ verb: 'answered', object: { id: item.id, kind: 'item' }, result: { success: Math.random() < 0.3 + 0.5 * ability + (0.2 * n) / perLearner }, timestamp });
  }
  for (let i = 0; i < list.length; i += 500) await recordForLaunch(session, list.slice(i, i + 500));
  seeded += list.length;
}
const seedSeconds = (performance.now() - seedStarted) / 1000;

const asset = async (path: string) => (await (await fetch(`${toolUrl}${path}`)).arrayBuffer()).byteLength;
async function render(path: string): Promise<{ ms: number; html: string }> {
  const t0 = performance.now();
  const res = await fetch(`${toolUrl}${path}${path.includes('?') ? '&' : '?'}ltik=${encodeURIComponent(ltik)}`);
  const html = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${html.slice(0, 200)}`);
  return { ms: performance.now() - t0, html };
}

// Cold: computing the overview from the course's statements (what the first view of a course,
// and each background refresh, costs), in this process without HTTP.
const COLD_RUNS = Number(process.env.COLD_RUNS ?? 5);
const cold: number[] = [];
for (let i = 0; i < COLD_RUNS; i++) {
  const t0 = performance.now();
  await courseOverview(scope, { locale: 'en' });
  cold.push(performance.now() - t0);
}
cold.sort((a, b) => a - b);

// Warm: what a teacher waits for — the page rendered from the course's last computed overview.
for (let i = 0; i < 3; i++) await render('/teacher'); // warm-up: the first computes; then JIT, pool
const times: number[] = [];
let overview = '';
for (let i = 0; i < RUNS; i++) {
  const r = await render('/teacher');
  times.push(r.ms);
  overview = r.html;
}
times.sort((a, b) => a - b);
const rows = (overview.match(/<tr><th scope="row"><button/g) ?? []).length;
if (rows !== LEARNERS) throw new Error(`the heatmap shows ${rows} learners, expected ${LEARNERS}`);

const drill = await render(`/teacher/courses/${scope.courseId}/learners/learner-1`);
const css = (await asset('/static/app.css')) + (await asset('/static/dashboard.css'));
const weight = (html: string) => Buffer.byteLength(html) + css;

console.log(`\ncourse overview: ${LEARNERS} learners × ${SKILLS} skills, ${seeded} statements (seeded in ${fmt(seedSeconds)} s), embedded ${db.kind}, ${RUNS} renders one at a time`);
printTable(['page', 'p50 ms', 'p99 ms', 'HTML KiB', 'HTML gzip KiB', 'with CSS KiB'], [
  ['overview: compute (cold)', fmt(percentile(cold, 50)), fmt(percentile(cold, 99)), '-', '-', '-'],
  ['overview: page (warm)', fmt(percentile(times, 50)), fmt(percentile(times, 99)), fmt(Buffer.byteLength(overview) / 1024), fmt(gzipSync(overview).length / 1024), fmt(weight(overview) / 1024)],
  ['learner drill-down', fmt(drill.ms), '-', fmt(Buffer.byteLength(drill.html) / 1024), fmt(gzipSync(drill.html).length / 1024), fmt(weight(drill.html) / 1024)],
]);
console.log(JSON.stringify({ learners: LEARNERS, skills: SKILLS, statements: seeded, coldP50Ms: percentile(cold, 50), coldP99Ms: percentile(cold, 99), p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), overviewBytes: weight(overview), drillDownBytes: weight(drill.html) }));

await stop();
process.exit(0);
