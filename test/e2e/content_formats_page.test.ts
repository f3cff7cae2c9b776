import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mongoose from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { BANKS } from '../support/banks.js';
import { launchBrowser, seriousA11yViolations } from '../support/browser.js';
import { countDocs, startToolAndLms, type ToolAndLms } from '../support/lti.js';

/**
 * A teacher imports a Moodle XML bank on the content page (choose the file, preview, confirm, all by
 * keyboard); a student then answers an imported numerical and a multiple-answer item, right and
 * wrong, and the scores are Moodle's.
 */
let env: ToolAndLms;
let browser: Browser;
before(async () => {
  env = await startToolAndLms({ LABEL: 'formats_page' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await env?.close();
});

async function answer(page: Page, ltik: string, item: string, pathway: string, entry: { text: string } | { choices: string[] }): Promise<string> {
  await page.goto(`${env.tool.url}/student/items/${item}?${new URLSearchParams({ ltik, pathway })}`);
  await page.locator('form.answer').waitFor();
  const checked = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/answer'));
  if ('text' in entry) {
    await page.getByLabel('Your answer').fill(entry.text);
    await page.getByLabel('Your answer').press('Enter');
  } else {
    for (const id of entry.choices) await page.locator(`#choice-${id}`).check();
    await page.getByRole('button', { name: 'Check my answer' }).press('Enter');
  }
  assert.equal((await checked).status(), 200);
  await page.locator('#feedback-heading').waitFor();
  return (await page.locator('#feedback-heading').textContent())?.trim() ?? '';
}

test('upload, preview, confirm; then a student is scored by the bank\'s own rules', async () => {
  const teacher = await env.launchAs({ role: 'teacher', user: { sub: 'fp-teacher', name: 'Grace Hopper' }, course: '2' });
  const page = await browser.newPage();
  await page.goto(`${env.tool.url}/teacher/content?ltik=${encodeURIComponent(teacher.ltik)}`);
  await page.getByLabel('Choose a question bank file').setInputFiles(BANKS + 'moodle.xml');
  const heading = page.locator('#bank-heading');
  await heading.waitFor();
  assert.equal((await heading.textContent())?.trim(), 'Preview: 7 questions will be imported, 5 skipped');
  assert.ok(await heading.evaluate((h) => h === document.activeElement), 'the preview takes the focus');
  const skipped = await page.locator('table', { hasText: 'Skipped' }).innerText();
  assert.match(skipped, /Match the fractions[\s\S]*no item type that scores a “match” question/);
  assert.match(skipped, /Chemical symbol[\s\S]*part of the marks \(50%\)/);
  assert.match(await page.locator('table', { hasText: 'Questions that become items' }).innerText(), /Half of a pizza\s+Note: an image "a pizza, half shaded" was replaced/);
  assert.deepEqual(await seriousA11yViolations(page), []);
  assert.equal(await countDocs('wf_content_versions'), 0, 'the preview stored nothing');
  // Merge two skills by giving them one name, then import by keyboard.
  await page.getByLabel('Skill from “halves” (1 items)').fill('Fractions');
  await page.getByLabel('Skill from “comparing” (1 items)').fill('fractions');
  await page.getByRole('button', { name: 'Import 7 questions' }).press('Enter');
  await page.getByRole('heading', { name: /^Imported 7 questions into 5 skills and 2 pathways\.$/ }).waitFor();

  // The student, in the imported "Measures" and fractions pathways.
  const student = await env.launchAs({ role: 'student', user: { sub: 'fp-student', name: 'Ada' }, course: '2' });
  const lookup = await page.request.fetch(`${env.tool.url}/teacher/content/bank`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${teacher.ltik}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    data: { file: Buffer.from('<?xml version="1.0"?><quiz></quiz>').toString('base64'), dryRun: true },
  });
  assert.equal(lookup.status(), 422, 'a bank without questions is refused');
  assert.match(await lookup.text(), /the file has no questions/);

  const s = await browser.newPage();
  const desk = 'length-of-the-desk-3ec1a116cf';
  const measures = 'measures-05561e7252';
  assert.equal(await answer(s, student.ltik, desk, measures, { text: '120 cm' }), 'Correct!', '120 cm is 1.2 m (Moodle multiplier 100)');
  assert.equal(await answer(s, student.ltik, desk, measures, { text: '1.2' }), 'Check the unit', 'a missing unit costs the unit penalty');
  assert.equal(await answer(s, student.ltik, desk, measures, { text: '2 m' }), 'Not quite');
  const half = 'q-92109b30fd';
  const fractions = 'fractions-703839c414';
  assert.equal(await answer(s, student.ltik, half, fractions, { choices: ['a', 'b'] }), 'Correct!');
  assert.equal(await answer(s, student.ltik, half, fractions, { choices: ['a', 'c'] }), 'Not quite', '50% − 100% is 0 in Moodle');
  assert.equal(await answer(s, student.ltik, half, fractions, { choices: ['b'] }), 'Partly right');
  const scores = async (item: string) =>
    (await mongoose.connection.db!.collection('wf_statements').find({ 'object.id': item, verb: 'answered' }).sort({ timestamp: 1 }).toArray()).map((st) => (st as unknown as { result: { score: { scaled: number } } }).result.score.scaled);
  assert.deepEqual(await scores(desk), [1, 0.5, 0]);
  assert.deepEqual(await scores(half), [1, 0, 0.5]);
});
