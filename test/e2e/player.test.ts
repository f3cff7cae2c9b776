import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { seedDemoContent } from '../../src/content/demo.js';
import { tenantId } from '../../src/lti/tenancy.js';
import { launchBrowser, screenshot, seriousA11yViolations } from '../support/browser.js';
import { countDocs, startToolAndLms, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID, type ToolAndLms } from '../support/lti.js';

let env: ToolAndLms;
let browser: Browser;
before(async () => {
  env = await startToolAndLms({ LABEL: 'player_e2e' });
  await seedDemoContent(tenantId(env.lms.issuer, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID));
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await env?.close();
});

/** The tool's frame inside the LMS page, once it shows `path`. */
async function toolFrame(page: Page, path: string): Promise<Frame> {
  for (let i = 0; i < 100; i++) {
    const f = page.frames().find((fr) => new URL(fr.url(), 'http://x').pathname.startsWith(path));
    if (f) {
      await f.waitForLoadState();
      return f;
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`the tool frame never showed ${path}; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
}

async function submitAndSeeFeedback(page: Page, frame: Frame, answer: string, expected: RegExp): Promise<Frame> {
  await frame.getByLabel('Your answer').fill(answer);
  await frame.getByLabel('Your answer').press('Enter'); // the keyboard submits the form
  await frame.waitForURL(/\/answer$/);
  const f = await toolFrame(page, '/student/items/');
  const heading = f.locator('#feedback-heading');
  await heading.waitFor();
  assert.match(await heading.textContent() ?? '', expected);
  assert.equal(await f.evaluate(() => document.activeElement?.id), 'feedback', 'focus moves to the feedback');
  assert.ok(await f.getByRole('heading', { name: 'Next up' }).isVisible(), '"Next up" is shown');
  assert.match(await f.locator('.next-up .reason').textContent() ?? '', /Next in your pathway/);
  return f;
}

const sumIn = async (f: Frame, op: '+' | '−') => {
  const q = (await f.locator('h1').textContent()) ?? '';
  const m = new RegExp(`(\\d+) ${op === '+' ? '\\+' : op} (\\d+)`).exec(q);
  assert.ok(m, `a ${op} question: ${q}`);
  return op === '+' ? Number(m[1]) + Number(m[2]) : Number(m[1]) - Number(m[2]);
};

test('a student launches from the LMS, answers three items, and sees feedback and "Next up"', async () => {
  const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
  await page.goto(env.lms.launcherUrl);
  await page.getByLabel('Person').selectOption({ label: 'Ada Lovelace (student)' });
  await page.getByRole('button', { name: 'Launch' }).click();

  let f = await toolFrame(page, '/student');
  await f.getByRole('heading', { name: 'Your practice' }).waitFor();
  const ltik = new URL(f.url()).searchParams.get('ltik');
  assert.ok(await f.getByRole('heading', { name: 'Algebra readiness' }).isVisible());
  await screenshot(page, 'player-1-landing');
  await f.locator('.next-up a').click(); // the reading that opens the pathway
  f = await toolFrame(page, '/student/items/add-sub-read');
  await f.getByRole('button', { name: 'Mark as done' }).click();
  f = await toolFrame(page, '/student/items/');
  await f.locator('#feedback-heading', { hasText: 'Done' }).waitFor();
  await f.locator('.next-up a').click();

  // Item 1: wrong, then right.
  f = await toolFrame(page, '/student/items/add-sub-1');
  const sum = await sumIn(f, '+');
  f = await submitAndSeeFeedback(page, f, String(sum + 1), /Not quite/);
  assert.match(await f.getByLabel('Your answer').inputValue(), new RegExp(String(sum + 1)), 'the answer stays for another try');
  await f.getByText('Hint 1').click();
  assert.ok(await f.getByText('Add the tens, then the ones.').isVisible(), 'a hint opens');
  await screenshot(page, 'player-2-not-quite');
  f = await submitAndSeeFeedback(page, f, String(sum), /Correct!/);
  await screenshot(page, 'player-3-correct');
  await f.locator('.next-up a').click();

  // Item 2: typed with a Chinese IME's full-width digits.
  f = await toolFrame(page, '/student/items/add-sub-2');
  const diff = await sumIn(f, '−');
  const fullWidth = String(diff).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
  f = await submitAndSeeFeedback(page, f, fullWidth, /Correct!/);
  await f.locator('.next-up a').click();

  // Item 3.
  f = await toolFrame(page, '/student/items/add-sub-3');
  f = await submitAndSeeFeedback(page, f, '36', /Correct!/);
  assert.match(await f.locator('.next-up').textContent() ?? '', /4 of 65 done/);
  await screenshot(page, 'player-4-next-up');

  const violations = await seriousA11yViolations(f);
  assert.deepEqual(violations, [], JSON.stringify(violations));
  assert.equal(await countDocs('wf_statements', { sub: '4', verb: 'answered' }), 4);
  assert.equal(await countDocs('wf_statements', { sub: '4', verb: 'completed' }), 1);
  assert.ok((await countDocs('wf_statements', { sub: '4', verb: 'viewed' })) >= 4);

  // The same page at 320 px, as in a narrow LMS iframe: no horizontal scrolling, still accessible.
  const narrow = await browser.newPage({ viewport: { width: 320, height: 700 } });
  await narrow.goto(`${env.tool.url}/student/items/add-sub-3?ltik=${ltik}&pathway=algebra-readiness`);
  assert.equal(await narrow.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no horizontal scrolling at 320 px');
  assert.deepEqual(await seriousA11yViolations(narrow), []);
  await screenshot(narrow, 'player-5-320px');
  await narrow.close();
  await page.close();
});
