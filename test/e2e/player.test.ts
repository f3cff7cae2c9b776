import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { findItem, findPathway } from '../../src/content/catalog.js';
import { answerSchemas } from '../../src/content/format.js';
import { tenantId } from '../../src/lti/tenancy.js';
import { screenshot, seriousA11yViolations } from '../support/browser.js';
import { useDemoCourseInBrowser } from '../support/demo_course.js';
import { countDocs, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID } from '../support/lti.js';

const e2e = useDemoCourseInBrowser('player_e2e');

const ADA = '4'; // Ada Lovelace's sub in the dev LMS
const PATHWAY = 'algebra-readiness'; // the first pathway, which a plain launch opens
const scope = () => ({ tenantId: tenantId(e2e.env.lms.issuer, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID) });

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

/** What a student enters for an item: typed text, ticked choices, or "Mark as done". */
type Entry = { text: string } | { choices: string[] } | { done: true };

/** The right entry for an item, read from its answer key in the content store (never from the page). */
async function rightEntryFor(itemId: string): Promise<Entry> {
  const item = await findItem(scope(), itemId);
  assert.ok(item, `${itemId} is in the course's content`);
  if (item.type === 'numeric') return { text: String(answerSchemas.numeric.parse(item.answer).value) };
  if (item.type === 'short_text') return { text: answerSchemas.short_text.parse(item.answer).accepted[0] };
  if (item.type === 'multiple_choice') return { choices: answerSchemas.multiple_choice.parse(item.answer).correct };
  return { done: true };
}

/** Opens an item by its URL inside the tool's frame, as a bookmark or "Next up" link would. */
async function openItem(f: Frame, ltik: string, itemId: string): Promise<void> {
  await f.goto(`${e2e.env.tool.url}/student/items/${itemId}?${new URLSearchParams({ ltik, pathway: PATHWAY })}`);
  await f.locator('form.answer').waitFor();
}

/** Asserts "Next up" names an item of the pathway with a reason, follows it by keyboard, and returns the item's id. */
async function followNextUp(f: Frame): Promise<string> {
  assert.ok(await f.getByRole('heading', { name: 'Next up' }).isVisible(), '"Next up" is shown');
  assert.notEqual((await f.locator('.next-up .reason').textContent())?.trim() ?? '', '', 'the suggestion says why');
  const link = f.locator('.next-up .next-title a');
  const href = new URL((await link.getAttribute('href')) ?? '', e2e.env.tool.url);
  assert.equal(href.searchParams.get('pathway'), PATHWAY, 'the suggestion stays in the pathway');
  const itemId = decodeURIComponent(href.pathname.replace('/student/items/', ''));
  assert.ok((await findPathway(scope(), PATHWAY))?.items.includes(itemId), `${itemId} belongs to ${PATHWAY}`);
  await link.press('Enter');
  await f.waitForURL((u) => u.pathname === href.pathname);
  await f.locator('form.answer').waitFor();
  return itemId;
}

/** Enters `entry` with the keyboard, waits for the server's verdict, and checks feedback, focus and "Next up". */
async function submit(page: Page, f: Frame, entry: Entry, verdict: RegExp): Promise<void> {
  const checked = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/answer'));
  if ('text' in entry) {
    await f.getByLabel('Your answer').fill(entry.text);
    await f.getByLabel('Your answer').press('Enter'); // the keyboard submits the form
  } else if ('choices' in entry) {
    for (const id of entry.choices) await f.locator(`#choice-${id}`).check();
    await f.getByRole('button', { name: 'Check my answer' }).press('Enter');
  } else {
    await f.getByRole('button', { name: 'Mark as done' }).press('Enter');
  }
  assert.equal((await checked).status(), 200, 'the server checked the answer');
  await f.locator('#feedback-heading', { hasText: verdict }).waitFor();
  await f.waitForFunction(() => document.activeElement?.id === 'feedback').catch(() => assert.fail('focus moves to the feedback'));
  assert.ok(await f.getByRole('heading', { name: 'Next up' }).isVisible(), '"Next up" is shown after feedback');
  assert.notEqual((await f.locator('.next-up .reason').textContent())?.trim() ?? '', '', 'the next suggestion says why');
}

const VERBS = ['answered', 'completed', 'viewed'] as const;
const statementCounts = async (filter: Record<string, unknown> = {}) =>
  Object.fromEntries(await Promise.all(VERBS.map(async (verb) => [verb, await countDocs('wf_statements', { sub: ADA, verb, ...filter })]))) as Record<(typeof VERBS)[number], number>;

test('a student launches from the LMS, answers three items, and sees feedback and "Next up"', async () => {
  const atStart = await statementCounts();
  const caused = { answered: 0, completed: 0, viewed: 0 };
  const done = new Set<string>();

  const page = await e2e.browser.newPage({ viewport: { width: 1024, height: 900 } });
  await page.goto(e2e.env.lms.launcherUrl);
  await page.getByLabel('Person').selectOption({ label: 'Ada Lovelace (student)' });
  await page.getByRole('button', { name: 'Launch' }).click();

  const f = await toolFrame(page, '/student');
  await f.getByRole('heading', { name: 'Your practice' }).waitFor();
  const ltik = new URL(f.url()).searchParams.get('ltik');
  assert.ok(ltik);
  assert.ok(await f.getByRole('heading', { name: 'Algebra readiness' }).isVisible());
  await screenshot(page, 'player-1-landing');

  // Follow "Next up" wherever the recommender leads until three questions are answered right
  // (a reading or video on the way is marked done).
  const questions: string[] = [];
  for (let step = 0; questions.length < 3; step++) {
    assert.ok(step < 10, `three questions within ten suggestions; followed ${step}`);
    const itemId = await followNextUp(f);
    caused.viewed++;
    const entry = await rightEntryFor(itemId);
    await submit(page, f, entry, 'done' in entry ? /Done/ : /Correct!/);
    caused['done' in entry ? 'completed' : 'answered']++;
    if (!('done' in entry)) questions.push(itemId);
    done.add(itemId);
  }
  await screenshot(page, 'player-2-next-up');

  // A known item: a wrong answer (checked on the server), a hint, then the right answer.
  await openItem(f, ltik, 'add-sub-1');
  caused.viewed++;
  const addSub1 = await findItem(scope(), 'add-sub-1');
  const key = answerSchemas.numeric.parse(addSub1?.answer);
  const wrong = String(key.value + key.tolerance + 1);
  await submit(page, f, { text: wrong }, /Not quite/);
  caused.answered++;
  assert.equal(await f.getByLabel('Your answer').inputValue(), wrong, 'the answer stays for another try');
  await f.getByText('Hint 1').click();
  assert.ok(await f.getByText(addSub1!.hints[0]).isVisible(), 'a hint opens');
  await screenshot(page, 'player-3-not-quite');
  await submit(page, f, { text: String(key.value) }, /Correct!/);
  caused.answered++;
  done.add('add-sub-1');
  await screenshot(page, 'player-4-correct');
  assert.equal(await countDocs('wf_statements', { sub: ADA, verb: 'answered', 'object.id': 'add-sub-1', 'result.success': false }), 1, 'the server recorded the wrong answer as wrong');

  // Another known item, typed with a Chinese IME's full-width digits.
  await openItem(f, ltik, 'add-sub-2');
  caused.viewed++;
  const digits = String(answerSchemas.numeric.parse((await findItem(scope(), 'add-sub-2'))?.answer).value);
  await submit(page, f, { text: digits.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))) }, /Correct!/);
  caused.answered++;
  done.add('add-sub-2');
  const pathway = await findPathway(scope(), PATHWAY);
  assert.match(await f.locator('.next-up').textContent() ?? '', new RegExp(`${done.size} of ${pathway!.items.length} done`));

  const violations = await seriousA11yViolations(f);
  assert.deepEqual(violations, [], JSON.stringify(violations));
  const atEnd = await statementCounts();
  assert.deepEqual(Object.fromEntries(VERBS.map((v) => [v, atEnd[v] - atStart[v]])), caused, 'the statements this walk caused');

  // An item page at 320 px, as in a narrow LMS iframe: no horizontal scrolling, still accessible.
  const narrow = await e2e.browser.newPage({ viewport: { width: 320, height: 700 } });
  await narrow.goto(`${e2e.env.tool.url}/student/items/${questions[0]}?${new URLSearchParams({ ltik, pathway: PATHWAY })}`);
  assert.equal(await narrow.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no horizontal scrolling at 320 px');
  assert.deepEqual(await seriousA11yViolations(narrow), []);
  await screenshot(narrow, 'player-5-320px');
  await narrow.close();
  await page.close();
});
