import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, seriousA11yViolations } from '../support/browser.js';
import { serveLikeReadme, type ServedTool } from '../support/serve.js';

let served: ServedTool;
let browser: Browser;
before(async () => {
  served = await serveLikeReadme();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await served?.stop();
});

for (const [person, path] of [
  ['Li Wei (student)', '/student'],
  ['Grace Hopper (teacher)', '/teacher'],
] as const) {
  test(`the README's first command: /dev/lms launches ${person} into ${path}`, async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
    await page.goto(`${served.lmsUrl}/dev/lms`);
    const options = await page.getByLabel('Person').locator('option').allTextContents();
    const label = options.find((o) => o.startsWith(person.split(' (')[0]));
    assert.ok(label, `the launcher offers ${person} (has: ${options.join(', ')})`);
    await page.getByLabel('Person').selectOption({ label });
    await page.getByRole('button', { name: 'Launch' }).click();
    const frame = page.frameLocator('iframe[title="Launched tool"]');
    await frame.locator('h1').first().waitFor({ timeout: 20_000 });
    const toolFrame = page.frames().find((f) => f.url().startsWith(served.toolUrl));
    assert.ok(toolFrame, 'the tool is loaded cross-site inside the LMS iframe');
    assert.equal(new URL(toolFrame.url()).pathname, path);
    assert.deepEqual(await seriousA11yViolations(toolFrame), []);
    await screenshot(page, `first-command-${path.slice(1)}`);
    await page.close();
  });
}
