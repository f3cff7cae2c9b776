// bench:ingest — POST /api/activity against the tool running as its own process on the embedded
// database: single statements at concurrency 16 and batches of 100 (concurrency 4), with a real
// launch's ltik; the raw driver's insertMany of the same documents (batches of 100, concurrency 4,
// same collection and indexes) in the same run is the ceiling. Last line: one JSON object.
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { fmt, printTable, runConcurrent } from './support.js';
import { BENCH_CLIENT_ID, startToolProcess } from './tool_process.js';

const SINGLES = Number(process.env.SINGLES ?? 3000);
const BATCHES = Number(process.env.BATCHES ?? 100);
const BATCH_SIZE = 100;
// Raw ingest throughput, so the per-learner limits (INGEST_LIMITS) are lifted for this one learner.
process.env.INGEST_LIMITS ??= '100000000,100000000,100000000,100000000';
const bench = await startToolProcess('ingest');
const { lms, toolUrl, dbUri, db } = bench;
const launched = await lms.launch({ clientId: BENCH_CLIENT_ID, user: '4', role: 'student' });
const ltik = new URL(launched.url).searchParams.get('ltik');
if (!ltik) throw new Error(`the launch gave no ltik (${launched.status})`);

const statement = (i: number) => ({
  id: randomUUID(),
  verb: 'attempted', // a learner may post only unscored verbs; answers are scored by the server
  object: { id: `item-${i % 50}`, kind: 'item' },
  result: { response: 'x = 2', duration: 'PT12S' },
  context: { recommendationId: `rec-${i}` },
  timestamp: new Date().toISOString(),
});

async function post(body: unknown): Promise<void> {
  const r = await fetch(`${toolUrl}/api/activity`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ltik}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (r.status !== 200) throw new Error(`POST /api/activity answered ${r.status}: ${await r.text()}`);
  await r.arrayBuffer();
}
const batch = () => ({ statements: Array.from({ length: BATCH_SIZE }, (_, i) => statement(i)) });

process.stderr.write('warming up…\n');
await runConcurrent(200, 16, (i) => post(statement(i)));
await runConcurrent(10, 4, () => post(batch()));

process.stderr.write(`${SINGLES} single statements at concurrency 16…\n`);
const single = await runConcurrent(SINGLES, 16, (i) => post(statement(i)));
process.stderr.write(`${BATCHES} batches of ${BATCH_SIZE} at concurrency 4…\n`);
const batched = await runConcurrent(BATCHES, 4, () => post(batch()));

// The ceiling: the same documents as the API stores them, straight through the driver.
process.stderr.write(`ceiling: raw insertMany, ${BATCHES} batches of ${BATCH_SIZE} at concurrency 4…\n`);
const conn = await mongoose.createConnection(dbUri).asPromise();
const raw = conn.db.collection('wf_statements');
const doc = (i: number) => {
  const now = new Date();
  const { id, timestamp, context, ...s } = statement(i);
  return {
    _id: id as never,
    tenantId: 't_bench',
    courseId: 'c_bench',
    issuer: lms.issuer,
    sub: '4',
    ...s,
    context: { launchId: randomUUID(), ...context },
    timestamp: new Date(timestamp),
    stored: now,
    day: timestamp.slice(0, 10),
    preview: false,
  };
};
await runConcurrent(10, 4, () => raw.insertMany(Array.from({ length: BATCH_SIZE }, (_, i) => doc(i)), { ordered: false }).then(() => undefined));
const ceiling = await runConcurrent(BATCHES, 4, () => raw.insertMany(Array.from({ length: BATCH_SIZE }, (_, i) => doc(i)), { ordered: false }).then(() => undefined));
await conn.close();

const batchedPerSecond = batched.perSecond * BATCH_SIZE;
const rawInsertManyPerSecond = ceiling.perSecond * BATCH_SIZE;
printTable(
  ['what', 'requests', 'concurrency', 'statements/s', 'p50 ms', 'p99 ms'],
  [
    ['POST single statement', single.count, 16, fmt(single.perSecond), fmt(single.p50Ms, 2), fmt(single.p99Ms, 2)],
    [`POST batch of ${BATCH_SIZE}`, batched.count, 4, fmt(batchedPerSecond), fmt(batched.p50Ms, 2), fmt(batched.p99Ms, 2)],
    [`raw insertMany of ${BATCH_SIZE} (ceiling)`, ceiling.count, 4, fmt(rawInsertManyPerSecond), fmt(ceiling.p50Ms, 2), fmt(ceiling.p99Ms, 2)],
  ],
);
console.log(`batched / raw: ${fmt(batchedPerSecond / rawInsertManyPerSecond, 3)}`);
console.log(
  JSON.stringify({
    singlePerSecond: Number(single.perSecond.toFixed(1)),
    singleP50Ms: Number(single.p50Ms.toFixed(2)),
    singleP99Ms: Number(single.p99Ms.toFixed(2)),
    batchedPerSecond: Number(batchedPerSecond.toFixed(1)),
    batchP50Ms: Number(batched.p50Ms.toFixed(2)),
    batchP99Ms: Number(batched.p99Ms.toFixed(2)),
    rawInsertManyPerSecond: Number(rawInsertManyPerSecond.toFixed(1)),
    batchedToRaw: Number((batchedPerSecond / rawInsertManyPerSecond).toFixed(3)),
    database: db.kind,
  }),
);
await bench.stop();
