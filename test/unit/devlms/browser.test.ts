import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM } from '../../support/browser.js';
import { useLmsWithStandInTool } from '../../support/lms_stand_in_tool.js';

// The pages in a real browser: the tool runs cross-site (localhost) inside the LMS (127.0.0.1).
describe('dev LMS pages in Chromium', { skip: !CHROMIUM && 'no Chromium' }, () => {
  const env = useLmsWithStandInTool();
  let browser: Browser;
  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
  });

  it('launches the tool in the iframe at 320 px, using only the keyboard', async () => {
    const page = await browser.newPage({ viewport: { width: 320, height: 700 } });
    await page.goto(env.lms.launcherUrl);
    await page.getByLabel('Person').selectOption({ label: 'Li Wei (student)' });
    await page.getByLabel('Course').focus();
    await page.keyboard.press('End');
    await page.getByRole('button', { name: 'Launch' }).focus();
    await page.keyboard.press('Enter');
    const frame = page.frameLocator('iframe[title="Launched tool"]');
    await frame.getByRole('heading', { name: 'Welcome to the stand-in tool' }).waitFor({ timeout: 10_000 });
    const c = env.tool.launches.at(-1)!;
    assert.equal(c.sub, '5');
    assert.equal((c['https://purl.imsglobal.org/spec/lti/claim/context'] as { id: string }).id, '3');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, 'no horizontal scrolling at 320 px');
    await page.close();
  });

  it('dynamic registration from the admin page ends with "Tool registered"', async () => {
    const page = await browser.newPage();
    await page.goto(env.lms.adminUrl);
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('status').filter({ hasText: 'Tool registered' }).waitFor({ timeout: 10_000 });
    const clientId = String(env.tool.registrations.at(-1)?.client_id);
    assert.ok(env.lms.tool(clientId));
    await page.goto(env.lms.adminUrl);
    assert.ok(await page.getByText(clientId).isVisible());
    await page.close();
  });
});
