import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';

/** Moodle's own pages, driven as an admin, a teacher or a student would, with waits on conditions. */
export const MOODLE_URL = (process.env.MOODLE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const PASSWORD = 'Passw0rd!';
export const ADMIN = { username: 'admin', password: 'Admin#2026x' };

/** What a page (or frame) showed, for failure messages. */
export async function shown(target: Page | Frame): Promise<string> {
  const text = await target
    .locator('body')
    .innerText({ timeout: 2000 })
    .catch((e: Error) => `(no text: ${e.message})`);
  return `${target.url()}\n---\n${text.replace(/\n{3,}/g, '\n\n').slice(0, 1500)}`;
}

/** Polls `check` until it returns something truthy; fails saying what was awaited and what the page showed. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  page?: Page | Frame,
  limitMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const why = last ? ` (last error: ${(last as Error).message.split('\n')[0]})` : '';
      throw new Error(`timed out after ${limitMs / 1000} s waiting for ${what}${why}${page ? `\nthe page showed: ${await shown(page)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function signIn(browser: Browser, username: string, password = PASSWORD): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(90_000);
  const page = await context.newPage();
  await page.goto(`${MOODLE_URL}/login/index.php`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login/'), { timeout: 30_000 }), page.click('#loginbtn')]).catch(async () => {
    throw new Error(`${username} could not sign in to Moodle\nthe page showed: ${await shown(page)}`);
  });
  return { context, page };
}

/** The first frame of the page whose URL starts with `prefix` (the tool inside Moodle). */
export const frameAt = (page: Page, prefix: string) => until(`a frame at ${prefix}`, async () => page.frames().find((f) => f.url().startsWith(prefix)), page);

/** The tool card on Manage tools with this name. */
export const toolCard = (page: Page, name: string) => page.locator('.tool-card', { hasText: name });
