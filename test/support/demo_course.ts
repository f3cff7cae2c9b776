import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { seedDemoContent } from '../../src/content/demo.js';
import { tenantId } from '../../src/lti/tenancy.js';
import { launchBrowser } from './browser.js';
import { startToolAndLms, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID, type ToolAndLms } from './lti.js';

export interface DemoCourseInBrowser {
  env: ToolAndLms;
  browser: Browser;
}

/**
 * Registers `before`/`after` hooks that start the tool and dev LMS (database `label`), seed the
 * demo course for the test tenant and launch headless Chromium, then close both. The handles
 * are filled in when `before` has run.
 */
export function useDemoCourseInBrowser(label: string): DemoCourseInBrowser {
  const e2e = {} as DemoCourseInBrowser;
  before(async () => {
    e2e.env = await startToolAndLms({ LABEL: label });
    await seedDemoContent(tenantId(e2e.env.lms.issuer, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID));
    e2e.browser = await launchBrowser();
  });
  after(async () => {
    await e2e.browser?.close();
    await e2e.env?.close();
  });
  return e2e;
}
