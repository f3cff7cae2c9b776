import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mongoose from 'mongoose';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser.js';
import { freshDatabaseUri } from '../support/db.js';
import { serveLikeReadme, type ServedTool } from '../support/serve.js';

/**
 * The demo learns for real: the README's first command trains the demo model in the background on
 * simulated learners, and a student's "Next up" then comes from it — the recommendation statement
 * carries the trained version, and following the link records `recommendation-followed`.
 */
const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
const uri = freshDatabaseUri('recommend_e2e');
let served: ServedTool;
let browser: Browser;
let db: mongoose.Connection;

before(async () => {
  served = await serveLikeReadme({ MONGODB_URI: uri, ADMIN_TOKEN });
  browser = await launchBrowser();
  db = await mongoose.createConnection(uri).asPromise();
});
after(async () => {
  await browser?.close();
  await db?.close();
  await served?.stop();
});

async function activeDemoVersion(): Promise<string> {
  const deadline = Date.now() + 6 * 60_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${served.toolUrl}/api/admin/models`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    const { versions } = (await res.json()) as { versions: { version: string; status: string; model: string; courseId: string }[] };
    const active = versions.find((v) => v.status === 'active');
    if (active) return active.version;
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new Error(`the demo model never became active:\n${served.output().slice(-3000)}`);
}

test('a student\'s Next up comes from the trained demo model, and following it is recorded', async () => {
  const version = await activeDemoVersion();
  const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
  await page.goto(`${served.lmsUrl}/dev/lms`);
  await page.getByLabel('Person').selectOption({ label: 'Ada Lovelace (student)' });
  await page.getByRole('button', { name: 'Launch' }).click();
  const frame = page.frameLocator('iframe[title="Launched tool"]');
  const link = frame.locator('.next-up .next-title a');
  await link.waitFor({ timeout: 30_000 });
  const href = (await link.getAttribute('href')) ?? '';
  const rec = new URL(href, served.toolUrl).searchParams.get('rec');
  assert.ok(rec, `the Next up link carries its recommendation id: ${href}`);

  const statements = db.collection('wf_statements');
  const shown = await statements.findOne({ verb: 'recommendation-shown', 'context.recommendationId': rec });
  assert.ok(shown, 'the recommendation shown is a statement');
  const ext = shown.context.extensions as Record<string, unknown>;
  assert.equal(ext.modelVersion, version, 'made with the trained demo model');
  assert.equal(typeof ext.predictedSuccess, 'number');
  assert.equal(ext.policyVersion, 'wayfinder-policy/1');
  assert.equal(shown.sub, '4');

  await link.click();
  await frame.locator('h1').first().waitFor();
  const deadline = Date.now() + 10_000;
  let followed = null;
  while (!followed && Date.now() < deadline) {
    followed = await statements.findOne({ verb: 'recommendation-followed', 'context.recommendationId': rec });
    if (!followed) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(followed, 'following the recommendation is a statement');
  assert.equal(followed.object.id, shown.object.id);
  const simulated = await statements.countDocuments({ sub: /^simulated-/ });
  assert.ok(simulated > 1000, `the simulated class is in the log (${simulated} statements)`);
  await screenshot(page, 'recommend-next-up-trained');
  await page.close();
});
