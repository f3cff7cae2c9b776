import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { findItem } from '../../src/content/catalog.js';
import { seedDemoContent } from '../../src/content/demo.js';
import type { Item } from '../../src/content/format.js';
import { listPlatforms } from '../../src/lti/platforms.js';
import { launchBrowser, screenshot, seriousA11yViolations } from '../support/browser.js';
import { startTestLms, type DevLms } from '../support/lms.js';
import { startTestTool, TEST_ADMIN_TOKEN, type TestTool } from '../support/tool.js';

/**
 * The whole journey in headless Chromium, with the dev LMS cross-site from the tool: the operator
 * signs in, registers the LMS by dynamic registration and approves it; a teacher deep-links a
 * pathway; a student answers items and follows recommendations; the teacher sees the learner in
 * the heatmap and the drill-down; the grade is in the LMS's gradebook. Every page visited is
 * checked with axe (no serious or critical violations) in English and Simplified Chinese, and
 * photographed into test-output/.
 */
let tool: TestTool;
let lms: DevLms;
let browser: Browser;
let page: Page;
/** The learner drill-down the journey reached, for the gradebook check. */
let drillUrl = '';
before(async () => {
  tool = await startTestTool({ LABEL: 'dashboard_e2e' });
  lms = await startTestLms(tool.url); // knows no tool yet: registration is part of the journey
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
});
after(async () => {
  await browser?.close();
  await lms?.stop();
  await tool?.close();
});

const axeClean = async (target: Page | Frame, where: string) => {
  const v = await seriousA11yViolations(target);
  assert.deepEqual(v, [], `${where}: ${JSON.stringify(v)}`);
};

/** The tool's frame inside the LMS page once it shows `path`. */
async function toolFrame(path: string | RegExp): Promise<Frame> {
  for (let i = 0; i < 200; i++) {
    const f = page.frames().find((fr) => fr.url().startsWith(tool.url) && (typeof path === 'string' ? new URL(fr.url()).pathname.startsWith(path) : path.test(new URL(fr.url()).pathname)));
    if (f) {
      await f.waitForLoadState();
      return f;
    }
    await page.waitForTimeout(100);
  }
  const shown = page.frames().find((fr) => fr.url().startsWith(tool.url));
  const text = shown ? (await shown.locator('main').innerText().catch(() => '')).slice(0, 400) : '';
  throw new Error(`the tool frame never showed ${path}; it shows "${text}"; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
}

/** Opens a tool page at `url` (same ltik) in a page of its own, in both languages, with axe and a screenshot each. */
async function checkBothLanguages(url: string, name: string, heading: { en: RegExp; zh: RegExp }, width = 1100) {
  const p = await browser.newPage({ viewport: { width, height: 900 } });
  for (const lang of ['en', 'zh-Hans'] as const) {
    const u = new URL(url);
    u.searchParams.set('lang', lang);
    const res = await p.goto(u.href);
    assert.equal(res?.status(), 200, `${name} (${lang})`);
    assert.equal(await p.getAttribute('html', 'lang'), lang);
    assert.match((await p.locator('h1').first().textContent()) ?? '', lang === 'en' ? heading.en : heading.zh, `${name} (${lang})`);
    await axeClean(p, `${name} (${lang})`);
    assert.equal(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, `${name}: no horizontal scrolling`);
    await screenshot(p, `dashboard-${name}-${lang}`);
  }
  await p.close();
}

/** The client id the LMS issued at dynamic registration: the launcher must use that tool. */
let clientId = '';

async function launchFromLms(person: string, link: string | RegExp, locale = 'en'): Promise<void> {
  await page.goto(`${lms.url}/dev/lms?tool=${encodeURIComponent(clientId)}`);
  const options = await page.getByLabel('Person').locator('option').allTextContents();
  await page.getByLabel('Person').selectOption({ label: options.find((o) => o.startsWith(person))! });
  const links = await page.getByLabel('What to open').locator('option').allTextContents();
  const label = links.find((o) => (typeof link === 'string' ? o === link : link.test(o)));
  assert.ok(label, `the launcher offers "${link}" (has ${links.join(' | ')})`);
  await page.getByLabel('What to open').selectOption({ label });
  await page.getByLabel('Language').selectOption(locale);
  await page.getByRole('button', { name: 'Launch' }).click();
}

/** Answers the item the frame shows, from the item's answer key (wrongly when `correct` is false). */
async function answer(frame: Frame, item: Item, correct: boolean): Promise<void> {
  const key = item.answer as { value?: number; correct?: string[]; accepted?: string[] };
  if (item.type === 'reading' || item.type === 'video') return frame.getByRole('button', { name: 'Mark as done' }).click();
  if (item.type === 'multiple_choice') {
    const ids = correct ? key.correct! : item.choices!.map((c) => c.id).filter((id) => !key.correct!.includes(id)).slice(0, 1);
    for (const id of ids) await frame.locator(`#choice-${id}`).check();
  } else {
    const text = item.type === 'numeric' ? String(correct ? key.value : key.value! + 1) : correct ? key.accepted![0] : 'no idea';
    await frame.getByLabel('Your answer').fill(text);
  }
  await frame.getByRole('button', { name: 'Check' }).click();
}

test('register, approve, deep-link, practise with recommendations, and see it all on the dashboard and in the gradebook', async () => {
  // 1. The operator signs in to the admin console (both languages, axe).
  await checkBothLanguages(`${tool.url}/admin/sign-in`, 'admin-sign-in', { en: /Admin console sign-in/, zh: /管理控制台登录/ }, 320);
  await page.goto(`${tool.url}/admin/sign-in`);
  await page.getByLabel('Admin token').fill(TEST_ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Platforms', level: 1 }).waitFor();
  await axeClean(page, 'platforms (empty)');

  // 2. The LMS admin registers the tool by dynamic registration (the tool's page in the LMS iframe).
  await page.goto(`${lms.url}/dev/lms/admin`);
  await page.getByLabel('Tool registration URL').fill(`${tool.url}/lti/register`);
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByText('Tool registered').waitFor({ timeout: 20_000 });
  const [pending] = await listPlatforms();
  assert.equal(pending.status, 'pending', 'registered, waiting for the operator');

  // 3. The operator approves it in the console.
  await page.goto(`${tool.url}/admin/platforms`);
  await page.getByText('pending approval').first().waitFor();
  await screenshot(page, 'dashboard-admin-platforms-pending');
  await page.getByRole('button', { name: /Approve platform/ }).click();
  await page.getByText('Approved.').waitFor();
  await axeClean(page, 'platforms');
  const [active] = await listPlatforms();
  assert.equal(active.status, 'active');
  assert.ok(active.deployments.length >= 1 && active.deployments.every((d) => d.status === 'approved'));
  const cookie = (await page.context().cookies()).find((c) => c.name === '__Host-wf_admin');
  assert.ok(cookie?.httpOnly && cookie.secure && cookie.sameSite === 'Lax', 'the console cookie is HttpOnly, Secure, SameSite=Lax');
  for (const [path, name, en, zh] of [
    ['/admin/platforms', 'admin-platforms', /Platforms/, /平台/],
    ['/admin/models', 'admin-models', /Recommender models/, /推荐模型/],
    ['/admin/health', 'admin-health', /Health/, /运行状况/],
    ['/admin/settings', 'admin-settings', /Configuration/, /配置/],
  ] as const) {
    const p = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await p.context().addCookies([cookie!]);
    for (const lang of ['en', 'zh-Hans']) {
      const res = await p.goto(`${tool.url}${path}?lang=${lang}`);
      assert.equal(res?.status(), 200, path);
      assert.match((await p.locator('h1').textContent()) ?? '', lang === 'en' ? en : zh);
      await axeClean(p, `${path} (${lang})`);
      await screenshot(p, `dashboard-${name}-${lang}`);
    }
    await p.close();
  }
  const tenant = active.deployments[0].tenantId;
  clientId = active.clientId;
  await seedDemoContent(tenant);

  // 4. A teacher adds the Algebra readiness pathway by deep linking.
  await launchFromLms('Grace Hopper', 'Add content (deep linking)');
  let f = await toolFrame('/teacher/deep-link');
  await f.getByLabel('Algebra readiness').check();
  await f.getByRole('button', { name: /Add/ }).click();
  // The picker posts the signed response back to the LMS inside the frame.
  for (let i = 0; i < 100 && !lms.resourceLinks().some((l) => l.title === 'Algebra readiness'); i++) await page.waitForTimeout(100);
  assert.ok(lms.resourceLinks().some((l) => l.title === 'Algebra readiness' && l.lineItem), 'the LMS holds the new link with a gradebook column');

  // 5. Ada opens it, answers items and follows the recommendations ("Next up").
  await launchFromLms('Ada Lovelace', /Algebra readiness/);
  f = await toolFrame('/student');
  const scope = { tenantId: tenant, courseId: '' };
  for (let step = 0; step < 6; step++) {
    const next = f.locator('.next-up a');
    const itemId = decodeURIComponent(new URL((await next.getAttribute('href'))!, tool.url).pathname.split('/')[3]);
    await next.click(); // following the recommendation
    await f.waitForURL((u) => u.pathname === `/student/items/${encodeURIComponent(itemId)}`);
    const item = await findItem(scope, itemId);
    assert.ok(item, `item ${itemId}`);
    await answer(f, item, step % 3 !== 1);
    await f.waitForURL(/\/answer$/);
    await f.locator('#feedback-heading').waitFor();
  }
  await screenshot(page, 'dashboard-student-after-practice');

  // 6. The teacher opens the course overview from the LMS: Ada is in the heatmap.
  // A teacher opening the activity sees the student preview first, with a link to the dashboard.
  await launchFromLms('Grace Hopper', /Algebra readiness/);
  f = await toolFrame('/student');
  await f.getByRole('link', { name: 'Open the teacher dashboard' }).click();
  await f.waitForURL((u) => u.pathname.startsWith('/teacher'));
  await f.getByRole('heading', { name: 'Mastery by learner and skill' }).waitFor();
  const overviewUrl = f.url();
  const row = f.locator('table.heat tbody tr', { hasText: 'Ada Lovelace' });
  assert.equal(await row.count(), 1, 'Ada has a row in the heatmap');
  assert.ok((await row.locator('td:not(.h0)').count()) >= 1, 'with at least one skill practised');
  assert.match((await f.locator('#rec-h + p').textContent()) ?? '', /Learners followed \d+ of \d+ recommendations/);
  await axeClean(f, 'course overview');
  await screenshot(page, 'dashboard-teacher-overview-in-lms');

  // The drill-down: timeline, mastery, the recommendations with their reasons, the grade.
  await row.getByRole('button', { name: 'Ada Lovelace' }).click();
  f = await toolFrame('/teacher/courses/');
  await f.getByRole('heading', { name: 'Ada Lovelace', level: 1 }).waitFor();
  drillUrl = f.url();
  assert.match((await f.locator('#recs-h + ol').textContent()) ?? '', /Reason:[\s\S]*followed/);
  assert.ok((await f.locator('ol.timeline li').count()) >= 6);
  await axeClean(f, 'learner drill-down');
  await screenshot(page, 'dashboard-teacher-learner-in-lms');

  // Each teacher page in both languages, standalone at 320 px like a narrow LMS iframe.
  await checkBothLanguages(overviewUrl, 'teacher-overview', { en: /Course overview/, zh: /课程概览/ }, 320);
  await checkBothLanguages(drillUrl, 'teacher-learner', { en: /Ada Lovelace/, zh: /Ada Lovelace/ }, 320);
  const base = /\/teacher\/courses\/[^/?]+/.exec(new URL(drillUrl).pathname)![0];
  const ltik = new URL(drillUrl).searchParams.get('ltik')!;
  await checkBothLanguages(`${tool.url}${base}/settings?ltik=${ltik}`, 'teacher-settings', { en: /Pathway settings/, zh: /学习路径设置/ }, 320);
  await checkBothLanguages(`${tool.url}${base}/roster?ltik=${ltik}`, 'teacher-roster', { en: /Course roster/, zh: /课程名单/ }, 320);
});

test('the grade reaches the LMS gradebook and the drill-down shows it sent', async () => {
  assert.ok(drillUrl, 'the journey reached the drill-down');
  let gradebook = lms.gradebook();
  for (let i = 0; i < 100 && !gradebook.results.some((r) => r.userId === '4'); i++) {
    await page.waitForTimeout(200);
    gradebook = lms.gradebook();
  }
  assert.ok(gradebook.results.some((r) => r.userId === '4'), `Ada's grade is in the gradebook: ${JSON.stringify(gradebook.results)}`);
  await page.goto(`${lms.url}/dev/lms/gradebook?course=2`);
  await page.getByRole('row', { name: /Ada Lovelace/ }).waitFor();
  await screenshot(page, 'dashboard-lms-gradebook');

  // The teacher's drill-down now shows the grade as sent.
  const p = await browser.newPage();
  await p.goto(drillUrl);
  assert.match((await p.locator('#grades').textContent()) ?? '', /sent to the gradebook/);
  await p.close();
});
