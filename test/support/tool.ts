import { loadConfig, type Config } from '../../src/config.js';
import { freePort } from '../../src/db/embedded.js';
import { startTool, type RunningTool } from '../../src/server.js';
import { freshDatabaseUri } from './db.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
/** Tests read /metrics with this bearer token (pass METRICS_TOKEN: '' for a tool without /metrics). */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789';

/** The tool's /metrics text, read as Prometheus would (with the token). */
export const metricsText = async (toolUrl: string): Promise<string> =>
  (await fetch(`${toolUrl}/metrics`, { headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` } })).text();

export interface TestTool extends RunningTool {
  config: Config;
}

/** The real tool on a free port with a fresh database on the run's embedded server. */
export async function startTestTool(env: Record<string, string> = {}): Promise<TestTool> {
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    PUBLIC_URL: `http://localhost:${port}`,
    MONGODB_URI: freshDatabaseUri(env.LABEL ?? 'tool'),
    LTI_KEY: 'test-lti-key-0123456789abcdef',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    DEV_LMS: '0',
    ...env,
  });
  const tool = await startTool(config, { METRICS_TOKEN: TEST_METRICS_TOKEN, ...env });
  return { ...tool, config };
}
