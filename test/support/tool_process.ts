import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../src/db/embedded.js';
import { freshDatabaseUri } from './db.js';
import { TEST_ADMIN_TOKEN } from './tool.js';

export interface ToolProcess {
  url: string;
  process: ChildProcess;
  /** Everything the process printed (its JSON log lines). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `wayfinder serve` as its own process on a fresh database of the run's embedded server, for
 * tests about the process itself (that no request ends it). Logs at `warn` so errors are visible.
 */
export async function startToolProcess(env: Record<string, string> = {}): Promise<ToolProcess> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    env: {
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
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!/Wayfinder listening/.test(out)) {
    if (child.exitCode !== null) throw new Error(`wayfinder serve exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`wayfinder serve did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    process: child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}
