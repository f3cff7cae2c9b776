import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium } from './chromium.js';

// `npm test` finds (or installs) Chromium and passes it on as CHROMIUM_PATH; a file run on its own looks itself.
const source = findChromium();
/** The Chromium the browser tests drive, headless, with no background networking. */
export const CHROMIUM = 'path' in source ? source.path : '';
export const SCREENSHOT_DIR = 'test-output/screenshots';

export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  if ('missing' in source) return Promise.reject(new Error(source.missing));
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', ...extraArgs],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const axeSource = (): string => createRequire(import.meta.url)('axe-core').source as string;

/** Runs axe-core in the page (or a frame of it) and returns serious and critical violations. */
export async function seriousA11yViolations(target: Page | import('playwright-core').Frame): Promise<{ id: string; help: string; nodes: number }[]> {
  await target.evaluate(axeSource());
  const result = (await target.evaluate(() =>
    (window as unknown as { axe: { run(o: object): Promise<unknown> } }).axe.run({ resultTypes: ['violations'] }),
  )) as { violations: { id: string; impact: string; help: string; nodes: unknown[] }[] };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.length }));
}
