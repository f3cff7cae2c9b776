import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { chromium, type BrowserContext, type Frame, type Page, type Request } from 'playwright-core';
import { CHROMIUM, screenshot, seriousA11yViolations } from '../support/browser.js';
import { startToolAndLms, type ToolAndLms } from '../support/lti.js';
import { metricsText } from '../support/tool.js';

/*
 * Launches in headless Chromium with the tool (localhost) cross-site inside the dev LMS
 * (127.0.0.1), and the tool's cookies blocked inside the LMS the way Safari blocks third-party
 * cookies, partitioned (CHIPS) ones included. Chromium 15x has no switch left that disables
 * partitioned cookies (`--disable-features=PartitionedCookies` is gone; checked: a Partitioned
 * cookie still round-trips with it), so besides `--test-third-party-cookie-phaseout` (unpartitioned
 * third-party cookies off) the profile carries a cookie content setting that blocks the tool's
 * origin whenever the top-level page is the LMS. Top-level windows of the tool keep their cookies,
 * as in Safari. Each test proves the state cookie did not arrive from the browser's request log.
 */
let env: ToolAndLms;
let context: BrowserContext;
let profile: string;
let lmsOrigin: string;

async function safariLikeBrowser(toolOrigin: string, embedder: string): Promise<BrowserContext> {
  profile = mkdtempSync(join(tmpdir(), 'wayfinder-cookieless-'));
  mkdirSync(join(profile, 'Default'));
  const block = { [`${toolOrigin},${embedder}`]: { setting: 2 } };
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { content_settings: { exceptions: { cookies: block } } } }));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1024, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--test-third-party-cookie-phaseout'],
  });
}

before(async () => {
  env = await startToolAndLms({ LABEL: 'platform-storage-e2e' });
  lmsOrigin = new URL(env.lms.url).origin;
  context = await safariLikeBrowser(new URL(env.tool.url).origin, lmsOrigin);
});
after(async () => {
  await context?.close();
  await env?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** What the browser sent to and got from the tool: the proof that the state cookie never came back. */
interface ToolTraffic {
  launches: { cookie: string; body: string }[];
  stateCookiesSet: string[];
  /** Every request to the tool, in order (what a failure report shows). */
  requests: string[];
}

let page: Page;
let traffic: ToolTraffic;
beforeEach(async () => {
  page = await context.newPage();
  traffic = { launches: [], stateCookiesSet: [], requests: [] };
  page.on('requestfinished', (r) => void record(r));
});

async function record(r: Request): Promise<void> {
  if (!r.url().startsWith(env.tool.url)) return;
  const path = new URL(r.url()).pathname;
  traffic.requests.push(`${r.method()} ${path}`);
  if (path === '/lti/launch' && r.method() === 'POST') {
    traffic.launches.push({ cookie: (await r.allHeaders()).cookie ?? '', body: r.postData() ?? '' });
  }
  const set = (await (await r.response())?.headersArray()) ?? [];
  // ltijs clears the state cookie after every launch (Expires in 1970): only cookies that set one count.
  const setsState = (v: string) => v.startsWith('state') && !/Expires=Thu, 01 Jan 1970/i.test(v);
  for (const h of set) if (h.name.toLowerCase() === 'set-cookie' && setsState(h.value)) traffic.stateCookiesSet.push(h.value);
}

async function storageStep(step: string): Promise<number> {
  const text = await metricsText(env.tool.url);
  return Number(new RegExp(`wayfinder_lti_platform_storage_total\\{step="${step}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
}

async function launchFromLms(storage: 'off' | 'on' | 'capabilities'): Promise<void> {
  await page.goto(env.lms.launcherUrl);
  await page.getByLabel('Platform storage (postMessage)').selectOption(storage);
  await page.getByRole('button', { name: 'Launch' }).click();
  await page.locator('iframe[title="Launched tool"]').waitFor();
}

function toolFrame(): Frame {
  const f = page.frames().find((x) => x.url().startsWith(env.tool.url));
  assert.ok(f, 'the tool runs inside the LMS iframe');
  return f;
}

const tool = () => page.frameLocator('iframe[title="Launched tool"]');

/** Waits for the student page in the LMS iframe; if it never comes, fails with what the frame shows instead. */
async function practiceInLms(): Promise<void> {
  try {
    await tool().getByRole('heading', { name: 'Your practice' }).waitFor({ timeout: 20_000 });
  } catch (err) {
    const frame = page.frames().find((x) => x.url().startsWith(env.tool.url));
    const shown = frame ? `${new URL(frame.url()).pathname}: ${(await frame.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 500)}` : 'no tool frame';
    assert.fail(`the student page did not appear in the LMS iframe (${(err as Error).message.split('\n')[0]}); the frame shows ${shown}; requests to the tool: ${traffic.requests.join(', ')}`);
  }
}

function assertNoStateCookieArrived(): void {
  assert.ok(traffic.launches.length > 0, 'the tool received a launch');
  for (const l of traffic.launches) assert.doesNotMatch(l.cookie, /state/, 'no state cookie came back with the launch');
}

test('platform storage announced with lti_storage_target: the launch succeeds without the state cookie', async () => {
  const completed = await storageStep('completed');
  await launchFromLms('on');
  await practiceInLms();
  assert.equal(new URL(toolFrame().url()).pathname, '/student');
  assertNoStateCookieArrived();
  assert.deepEqual(traffic.stateCookiesSet, [], 'the storage path sets no state cookie at all');
  assert.equal(traffic.launches.length, 2, 'the platform’s form post, then the read-back page’s completion');
  assert.match(traffic.launches[1].body, /platform_storage=verified/);
  assert.equal(await storageStep('completed'), completed + 1);
  await page.close();
});

test('platform storage found only through lti.capabilities: the blocked partitioned cookie is detected and the launch restarts through storage', async () => {
  const checks = await storageStep('cookie_check');
  await launchFromLms('capabilities');
  await practiceInLms();
  assert.ok(traffic.stateCookiesSet.some((c) => /Partitioned/i.test(c)), 'the cookie path did set a partitioned state cookie');
  assertNoStateCookieArrived();
  assert.equal(await storageStep('cookie_check'), checks + 1);
  await page.close();
});

test('no platform storage: the explanatory page, accessible at 320 px, and the new-window launch works', async () => {
  await page.setViewportSize({ width: 320, height: 800 });
  await launchFromLms('off');
  const heading = tool().getByRole('heading', { name: 'Wayfinder cannot open inside this course page' });
  await heading.waitFor({ timeout: 20_000 });
  assertNoStateCookieArrived();
  const frame = toolFrame();
  assert.equal(await frame.evaluate(() => document.activeElement?.id), 'storage-failed-title', 'focus moves to the explanation');
  assert.deepEqual(await seriousA11yViolations(frame), []);
  assert.ok(await frame.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no horizontal scroll in a narrow iframe');
  await screenshot(page, 'platform-storage-cookies-blocked-320');

  const link = tool().getByRole('link', { name: 'Open Wayfinder in a new window' });
  assert.equal(await link.getAttribute('target'), '_blank');
  const [popup] = await Promise.all([context.waitForEvent('page'), link.click()]);
  await popup.getByRole('heading', { name: 'Your practice' }).waitFor({ timeout: 20_000 });
  assert.equal(new URL(popup.url()).pathname, '/student');
  await popup.close();
  await page.close();
});

test('the page speaks Simplified Chinese', async () => {
  await page.setExtraHTTPHeaders({ 'accept-language': 'zh-CN,zh;q=0.9' });
  await launchFromLms('off');
  await tool().getByRole('heading', { name: 'Wayfinder 无法在此课程页面内打开' }).waitFor({ timeout: 20_000 });
  await page.close();
});

/** Installs, in the LMS page only, a listener that takes `lti.get_data` requests away from the LMS's own answerer. */
async function interceptGetData(answer: 'wrong-state' | 'none'): Promise<void> {
  await page.addInitScript(
    ({ origin, answer }) => {
      if (window.top !== window || location.origin !== origin) return;
      const w = window as unknown as { captured: { message_id: string; key: string }[] };
      w.captured = [];
      window.addEventListener(
        'message',
        (e) => {
          if (!e.data || (e.data.subject !== 'lti.get_data' && e.data.subject !== 'org.imsglobal.lti.get_data')) return;
          e.stopImmediatePropagation();
          w.captured.push(e.data);
          if (answer === 'wrong-state') {
            const reply = { subject: 'lti.get_data.response', message_id: e.data.message_id, key: e.data.key, value: 'a-state-from-another-login' };
            (e.source as Window).postMessage(reply, e.origin);
          }
        },
        true,
      );
    },
    { origin: lmsOrigin, answer },
  );
}

async function assertRefusedInBrowser(reason: RegExp): Promise<void> {
  await tool()
    .getByRole('heading', { name: 'Wayfinder could not confirm your sign-in' })
    .waitFor({ timeout: 45_000 }) // an ignored answer ends only at the page's time-outs (state, then nonce)
    .catch(async (err: Error) => {
      throw new Error(`${err.message}\nthe tool frame shows: ${await toolFrame().locator('body').innerText()}`);
    });
  assert.match((await tool().locator('#storage-failed-reason').textContent()) ?? '', reason);
  assert.ok(await tool().getByRole('link', { name: 'Open Wayfinder in a new window' }).isVisible());
  assert.equal(traffic.launches.length, 1, 'the completion was never posted');
}

test('a forged get_data answer (the right origin, the wrong state) is refused', async () => {
  const completed = await storageStep('completed');
  await interceptGetData('wrong-state');
  await launchFromLms('on');
  await assertRefusedInBrowser(/mismatch/);
  assertNoStateCookieArrived();
  assert.equal(await storageStep('completed'), completed);
  await page.close();
});

test('a get_data answer with the right values from the wrong origin is refused', async () => {
  const completed = await storageStep('completed');
  await interceptGetData('none');
  await launchFromLms('on');
  await page.waitForFunction(() => (window as unknown as { captured: unknown[] }).captured.length === 2, undefined, { timeout: 20_000 });
  // A frame of another origin (the same dev LMS under another host name) answers perfectly: right
  // message ids, keys and values. Only its origin is wrong.
  const evilUrl = env.lms.launcherUrl.replace('127.0.0.1', 'localhost');
  await page.evaluate((src) => {
    const f = document.createElement('iframe');
    f.src = src;
    f.title = 'Another origin';
    document.body.append(f);
  }, evilUrl);
  const evil = await (await page.waitForSelector('iframe[title="Another origin"]')).contentFrame();
  await evil!.waitForLoadState();
  const captured = await page.evaluate(() => (window as unknown as { captured: { message_id: string; key: string }[] }).captured);
  await evil!.evaluate((requests) => {
    for (const r of requests) {
      const value = r.key.replace(/^(state|nonce)_/, '');
      window.parent.frames[0].postMessage({ subject: 'lti.get_data.response', message_id: r.message_id, key: r.key, value }, '*');
    }
  }, captured);
  await assertRefusedInBrowser(/timeout/);
  assert.equal(await storageStep('completed'), completed);
  await page.close();
});

test('nonce replay is still refused: posting the completed launch again', async () => {
  await launchFromLms('on');
  await practiceInLms();
  const completion = new URLSearchParams(traffic.launches[1].body);
  // Same-origin, from the tool's own page, exactly what the read-back page posted (with the
  // read-back page's referrer policy, so the browser sends the tool's Origin).
  await toolFrame().evaluate((fields) => {
    const meta = document.createElement('meta');
    meta.name = 'referrer';
    meta.content = 'same-origin';
    document.head.append(meta);
    const form = document.createElement('form');
    form.method = 'post';
    form.action = '/lti/launch';
    for (const [name, value] of fields) {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      input.value = value;
      form.append(input);
    }
    document.body.append(form);
    form.submit();
  }, [...completion.entries()]);
  await tool().getByRole('heading', { name: 'This launch could not be accepted' }).waitFor({ timeout: 20_000 });
  assert.match((await tool().locator('main').textContent()) ?? '', /STATE_ALREADY_USED/);
  await page.close();
});
