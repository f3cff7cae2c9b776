import assert from 'node:assert/strict';
import { test } from 'node:test';
import request from 'supertest';
import { screenshot, seriousA11yViolations } from '../support/browser.js';
import { useDemoCourseInBrowser } from '../support/demo_course.js';

/** The progress page in a 320 px LMS frame, in English and Simplified Chinese: screenshots and axe. */
const e2e = useDemoCourseInBrowser('progress_e2e');

for (const [locale, heading] of [['en', 'My progress'], ['zh-Hans', '我的进度']] as const) {
  test(`the progress page in ${locale}: chart, evidence and reason, keyboard reachable, no serious axe findings at 320 px`, async () => {
    const { ltik } = await e2e.env.launchAs({ role: 'student', user: { sub: `e2e-${locale}`, locale }, locale, custom: { wayfinder_pathway: 'fractions' } });
    for (const [item, choice] of [['frac-concept-1', 'a'], ['frac-concept-1', 'b'], ['frac-concept-1', 'a']]) {
      await request(e2e.env.tool.url).post(`/student/items/${item}/answer`).type('form').send({ ltik, pathway: 'fractions', choice });
    }
    const page = await e2e.browser.newPage({ viewport: { width: 320, height: 900 } });
    await page.goto(`${e2e.env.tool.url}/student/progress?ltik=${encodeURIComponent(ltik)}`);
    assert.equal(await page.locator('h1').textContent(), heading);
    assert.ok(await page.getByRole('img', { name: locale === 'en' ? 'Your last 3 answers per skill' : '每项技能最近 3 次作答' }).isVisible());
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 320), true, 'no horizontal scrolling at 320 px');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.match((await page.evaluate(() => document.activeElement?.getAttribute('href'))) ?? '', /^\/student\/items\//, 'Next up is the first link after "skip"');
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, `progress-${locale}`);
    await page.close();
  });
}
