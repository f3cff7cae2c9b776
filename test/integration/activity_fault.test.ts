import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import mongoose from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { recordForLaunch, type StatementInput } from '../../src/activity/index.js';
import type { LaunchContext } from '../../src/lti/session.js';
import { launchBrowser } from '../support/browser.js';
import { startToolAndLms, type ToolAndLms } from '../support/lti.js';

// The tool gets its own embedded database server here (MONGODB_URI unset), so the test can stop
// and restart that server process without disturbing the rest of the suite.
let env: ToolAndLms;
let browser: Browser;
before(async () => {
  env = await startToolAndLms({ LABEL: 'activity_fault', MONGODB_URI: '', DATA_DIR: mkdtempSync(join(tmpdir(), 'wf-fault-')) });
  assert.ok(env.tool.database.embedded, 'the tool runs its own embedded database');
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await env?.close();
});

const collection = () => mongoose.connection.db!.collection('wf_statements');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A real launch page of the tool (its CSP: script-src 'self') with the queue script loaded from /static. */
async function playerPage(user: string): Promise<{ page: Page; session: LaunchContext }> {
  const launch = await env.launchAs({ role: 'student', user, course: '2' });
  const page = await browser.newPage();
  await page.goto(launch.url);
  // Record what the API answered, to prove the outage was seen by the browser side.
  await page.evaluate(() => {
    const w = window as unknown as { __statuses: (number | string)[] };
    w.__statuses = [];
    const original = window.fetch.bind(window);
    window.fetch = (...args) =>
      original(...args).then(
        (r) => (w.__statuses.push(r.status), r),
        (e) => (w.__statuses.push('network'), Promise.reject(e)),
      );
  });
  await page.addScriptTag({ url: `${env.tool.url}/static/js/activity-queue.js` });
  const session = (await mongoose.connection
    .db!.collection('wf_launches')
    .find({ sub: user })
    .sort({ createdAt: -1 })
    .limit(1)
    .next()) as unknown as LaunchContext;
  return { page, session };
}

const pending = (page: Page) => page.evaluate(() => (window as unknown as { WayfinderActivity: { pending(): number } }).WayfinderActivity.pending());

test('statements from the browser and a server-side producer survive a database outage, each stored once', async () => {
  const { page, session } = await playerPage('4');

  // Browser side: one answer every 25 ms through the queue, until told to stop.
  await page.evaluate(() => {
    const w = window as unknown as { __ids: string[]; __stop: boolean; WayfinderActivity: { record(s: object): string } };
    w.__ids = [];
    const t = setInterval(() => {
      if (w.__stop) return clearInterval(t);
      w.__ids.push(w.WayfinderActivity.record({ verb: 'viewed', object: { id: `item-${w.__ids.length}`, kind: 'item' }, result: { duration: 'PT5S' } }));
    }, 25);
  });
  const browserRecorded = () => page.evaluate(() => (window as unknown as { __ids: string[] }).__ids.length);
  const statuses = () => page.evaluate(() => (window as unknown as { __statuses: (number | string)[] }).__statuses);
  const sawOutage = (list: (number | string)[]) => list.some((s) => s === 503 || s === 'network');

  // Server side: the recommender's "shown" events, one call each, retrying inside recordForLaunch.
  const serverIds: string[] = [];
  let producing = true;
  const writes: { start: number; end: number }[] = [];
  const producer = (async () => {
    for (let i = 0; producing; i++) {
      const start = Date.now();
      const input: StatementInput = { verb: 'recommendation-shown', object: { id: `item-${i}`, kind: 'item' }, context: { recommendationId: `rec-${i}` } };
      const [s] = await recordForLaunch(session, [input]);
      serverIds.push(s._id);
      writes.push({ start, end: Date.now() });
      await sleep(40);
    }
  })();

  await until('some statements stored before the outage', async () => (await collection().countDocuments({ sub: '4' })) >= 15);
  await env.tool.database.embedded!.stop();
  const atStop = await browserRecorded();
  await until('the browser side meeting the outage (503 or a network error)', async () => sawOutage(await statuses()));
  await until('the browser recording on while the database is down', async () => (await browserRecorded()) >= atStop + 20);
  const restartedAt = Date.now();
  await env.tool.database.embedded!.restart();
  await until('both streams writing again', async () => (await browserRecorded()) >= atStop + 60 && serverIds.length >= 5);
  await page.evaluate(() => ((window as unknown as { __stop: boolean }).__stop = true));
  producing = false;
  await producer;
  await until('the browser queue drained', async () => (await pending(page)) === 0);

  const browserIds = await page.evaluate(() => (window as unknown as { __ids: string[] }).__ids);
  assert.ok(
    writes.some((w) => w.start < restartedAt && w.end > restartedAt),
    'a server-side write was held up by the outage and completed after the restart',
  );
  const all = [...browserIds, ...serverIds];
  assert.equal(new Set(all).size, all.length);
  const stored = await collection().find({ sub: '4' }, { projection: { _id: 1 } }).toArray();
  assert.equal(stored.length, all.length, 'nothing lost, nothing duplicated');
  assert.deepEqual(stored.map((d) => String(d._id)).sort(), all.sort());
  await page.close();
});

test('when the page is hidden the queue goes out by sendBeacon, with the ltik in the body', async () => {
  const { page } = await playerPage('5');
  // Ordinary POSTs fail (as if offline); only the beacon (text/plain, no Authorization header) gets through.
  await page.route('**/api/activity', (route) =>
    route.request().headers()['content-type']?.startsWith('text/plain') ? route.continue() : route.abort('internetdisconnected'),
  );
  const ids = await page.evaluate(() => {
    const a = (window as unknown as { WayfinderActivity: { record(s: object): string } }).WayfinderActivity;
    return [1, 2, 3].map((i) => a.record({ verb: 'viewed', object: { id: `item-${i}`, kind: 'item' } }));
  });
  await sleep(300);
  assert.equal(await collection().countDocuments({ _id: { $in: ids as never[] } }), 0, 'nothing got through before the page was hidden');
  await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
  await until('the beacon stored the queue', async () => (await collection().countDocuments({ _id: { $in: ids as never[] } })) === 3, 20_000);
  assert.equal(await pending(page), 3, 'entries stay queued until a normal POST is acknowledged (a beacon is never confirmed)');
  await page.unroute('**/api/activity');
  await page.evaluate(() => (window as unknown as { WayfinderActivity: { flush(): Promise<void> } }).WayfinderActivity.flush());
  await until('the queue drained', async () => (await pending(page)) === 0, 20_000);
  assert.equal(await collection().countDocuments({ sub: '5' }), 3, 'the resend was recognised as the same statements');
  await page.close();
});
