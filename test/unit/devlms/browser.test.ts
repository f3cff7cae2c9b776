import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { startTestLms, type DevLms } from '../../support/lms.js';
import { startLmsStandInTool, type StandInTool } from '../../support/lms_stand_in_tool.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// The pages in a real browser: the tool runs cross-site (localhost) inside the LMS (127.0.0.1).
describe('dev LMS pages in Chromium', { skip: !existsSync(CHROMIUM) && 'no Chromium' }, () => {
  let tool: StandInTool;
  let lms: DevLms;
  let browser: Browser;
  before(async () => {
    tool = await startLmsStandInTool();
    lms = await startTestLms(tool.url);
    tool.setPlatform(lms.registration());
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await lms.stop();
    await tool.stop();
  });

  it('launches the tool in the iframe at 320 px, using only the keyboard', async () => {
    const page = await browser.newPage({ viewport: { width: 320, height: 700 } });
    await page.goto(lms.launcherUrl);
    await page.getByLabel('Person').selectOption({ label: 'Li Wei (student)' });
    await page.getByLabel('Course').focus();
    await page.keyboard.press('End');
    await page.getByRole('button', { name: 'Launch' }).focus();
    await page.keyboard.press('Enter');
    const frame = page.frameLocator('iframe[title="Launched tool"]');
    await frame.getByRole('heading', { name: 'Welcome to the stand-in tool' }).waitFor({ timeout: 10_000 });
    const c = tool.launches.at(-1)!;
    assert.equal(c.sub, '5');
    assert.equal((c['https://purl.imsglobal.org/spec/lti/claim/context'] as { id: string }).id, '3');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, 'no horizontal scrolling at 320 px');
    await page.close();
  });

  it('dynamic registration from the admin page ends with "Tool registered"', async () => {
    const page = await browser.newPage();
    await page.goto(lms.adminUrl);
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('status').filter({ hasText: 'Tool registered' }).waitFor({ timeout: 10_000 });
    const clientId = String(tool.registrations.at(-1)?.client_id);
    assert.ok(lms.tool(clientId));
    await page.goto(lms.adminUrl);
    assert.ok(await page.getByText(clientId).isVisible());
    await page.close();
  });
});
