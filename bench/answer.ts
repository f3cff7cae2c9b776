// bench:answer — the time from a student's answer submit (the form POST) to the complete
// feedback page, over ANSWERS answers (default 500) on the embedded database, for the demo
// course's items in pathway order (every item type; right and wrong answers; the statement is
// written and "Next up" computed from the learner's history before the page is sent).
// The tool and the dev LMS run in this process; answers go one at a time, then 8 in flight.
import { readFileSync } from 'node:fs';
import { DEMO_FILE, seedDemoContent } from '../src/content/demo.js';
import type { ContentFile } from '../src/content/format.js';
import { tenantId } from '../src/lti/tenancy.js';
import { fmt, printTable, runConcurrent } from './support.js';
import { BENCH_CLIENT_ID, startToolInProcess } from './tool_process.js';

const ANSWERS = Number(process.env.ANSWERS ?? 500);
const LEARNERS = 10;

const { toolUrl, db, lms, stop } = await startToolInProcess('answer');
await seedDemoContent(tenantId(lms.issuer, BENCH_CLIENT_ID, '1'));

const demo = JSON.parse(readFileSync(DEMO_FILE, 'utf8')) as ContentFile;
const pathway = demo.pathways[0];
const items = pathway.items.map((id) => demo.items.find((i) => i.id === id)!);

// Ten demo-course students (the dev LMS has three; the others are the same people in other "sections" by sub).
const ltiks: string[] = [];
for (let i = 0; i < LEARNERS; i++) {
  const r = await lms.launch({ clientId: BENCH_CLIENT_ID, user: { sub: `bench-${i}`, name: `Learner ${i}` }, role: 'student' });
  ltiks.push(new URL(r.url).searchParams.get('ltik')!);
}

/** Answer n: learner n % LEARNERS on the pathway's item n / LEARNERS (cycling), alternating right-ish and wrong. */
function form(n: number): URLSearchParams {
  const item = items[Math.floor(n / LEARNERS) % items.length];
  const body = new URLSearchParams({ ltik: ltiks[n % LEARNERS], pathway: pathway.id, shownAt: String(Date.now() - 20_000) });
  if (item.type === 'multiple_choice') body.append('choice', item.choices![n % item.choices!.length].id);
  else if (item.type === 'reading' || item.type === 'video') body.append('done', '1');
  else body.append('text', n % 2 ? '3/4' : '１２');
  return body;
}

let failures = 0;
const answer = (offset: number) => async (i: number) => {
  const n = offset + i;
  const item = items[Math.floor(n / LEARNERS) % items.length];
  const res = await fetch(`${toolUrl}/student/items/${item.id}/answer`, { method: 'POST', body: form(n) });
  const html = await res.text();
  if (res.status !== 200 || !html.includes('id="feedback"')) failures++;
};

await runConcurrent(20, 1, answer(10_000)); // warm-up: caches, JIT, connection pool
const serial = await runConcurrent(ANSWERS, 1, answer(0));
const parallel = await runConcurrent(ANSWERS, 8, answer(ANSWERS));
const size = readFileSync(DEMO_FILE).length;

console.log(`\nanswer submit → feedback page, ${ANSWERS} answers each, embedded ${db.kind}; ${failures} failed`);
printTable(
  ['in flight', 'p50 ms', 'p99 ms', 'answers/s'],
  [
    [1, fmt(serial.p50Ms), fmt(serial.p99Ms), fmt(serial.perSecond, 0)],
    [8, fmt(parallel.p50Ms), fmt(parallel.p99Ms), fmt(parallel.perSecond, 0)],
  ],
);
const byType = new Map<string, number>();
for (const i of demo.items) byType.set(i.type, (byType.get(i.type) ?? 0) + 1);
const types = [...byType].map(([t, n]) => `${t} ${n}`);
console.log(`\ndemo course: ${demo.skills.length} skills, ${demo.items.length} items (${types.join(', ')}), ${demo.pathways.length} pathways; ${(size / 1024).toFixed(1)} KiB JSON`);

await stop();
process.exit(failures ? 1 : 0);
