import { freePort } from '../../src/db/embedded.js';
import { freshDatabaseUri } from './db.js';
import { spawnServe, type ServeProcess } from './serve.js';
import { TEST_ADMIN_TOKEN } from './tool.js';

export interface ToolProcess extends ServeProcess {
  url: string;
}

/**
 * `wayfinder serve` as its own process on a fresh database of the run's embedded server, for
 * tests about the process itself (that no request ends it). Logs at `info` so errors are visible.
 */
export async function startToolProcess(env: Record<string, string> = {}): Promise<ToolProcess> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const served = await spawnServe(
    {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      PUBLIC_URL: url,
      MONGODB_URI: freshDatabaseUri(env.LABEL ?? 'process'),
      LTI_KEY: 'test-lti-key-0123456789abcdef',
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      DEV_LMS: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    /Wayfinder listening/,
    60_000,
  );
  return { url, ...served };
}
