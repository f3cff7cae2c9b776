// bench:answer — the time from a student's answer submit (the form POST) to the complete
// feedback page, over ANSWERS answers (default 500) on the embedded database, for the demo
// course's items in pathway order (every item type; right and wrong answers; the statement is
// written and "Next up" computed from the learner's history before the page is sent).
// The tool and the dev LMS run in this process; answers go one at a time, then 8 in flight.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { DEMO_FILE, seedDemoContent } from '../src/content/demo.js';
import type { ContentFile } from '../src/content/format.js';
import { freePort, startEmbedded } from '../src/db/embedded.js';
import { startDevLms } from '../src/devlms/index.js';
import { tenantId } from '../src/lti/tenancy.js';
import { startTool } from '../src/server.js';
import { fmt, printTable, runConcurrent } from './support.js';

const ANSWERS = Number(process.env.ANSWERS ?? 500);
const LEARNERS = 10;
const ADMIN = 'bench-admin-token-0123456789';

const db = await startEmbedded(mkdtempSync(join(tmpdir(), 'wayfinder-bench-')));
const port = await freePort();
const config = loadConfig({ ...process.env, NODE_ENV: 'test', PORT: String(port), PUBLIC_URL: `http://localhost:${port}`, MONGODB_URI: `${db.uri}bench_answer`, DEV_LMS: '0', ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn', LTI_KEY: 'bench-lti-key-0123456789abcdef' });
const tool = await startTool(config);
const lms = await startDevLms({
  port: 0,
  toolUrl: tool.url,
  clientId: 'bench',
  deploymentId: '1',
  preRegistered: { clientId: 'bench', toolJwksUrl: `${tool.url}/lti/keys`, loginUrl: `${tool.url}/lti/login`, launchUrl: `${tool.url}/lti/launch`, deepLinking: true },
});
const reg = await fetch(`${tool.url}/api/admin/platforms`, {
  method: 'POST',
  headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
  body: JSON.stringify({ ...lms.registration('bench'), name: 'bench LMS' }),
});
if (reg.status !== 201) throw new Error(`registering the LMS failed: ${reg.status} ${await reg.text()}`);
await seedDemoContent(tenantId(lms.issuer, 'bench', '1'));

const demo = JSON.parse(readFileSync(DEMO_FILE, 'utf8')) as ContentFile;
const pathway = demo.pathways[0];
const items = pathway.items.map((id) => demo.items.find((i) => i.id === id)!);

// Ten demo-course students (the dev LMS has three; the others are the same people in other "sections" by sub).
const ltiks: string[] = [];
for (let i = 0; i < LEARNERS; i++) {
  const r = await lms.launch({ clientId: 'bench', user: { sub: `bench-${i}`, name: `Learner ${i}` }, role: 'student' });
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
  const res = await fetch(`${tool.url}/student/items/${item.id}/answer`, { method: 'POST', body: form(n) });
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

await lms.stop();
await tool.close();
await db.stop();
process.exit(failures ? 1 : 0);
