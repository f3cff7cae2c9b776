import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/db/embedded.js';

export interface ServedTool {
  toolUrl: string;
  lmsUrl: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs what the README's first command runs (`npm start` = `wayfinder serve`) as its own process:
 * embedded database under a fresh DATA_DIR, demo content and the dev LMS on its own port.
 */
export async function serveLikeReadme(env: Record<string, string> = {}): Promise<ServedTool> {
  const port = await freePort();
  const lmsPort = await freePort();
  const toolUrl = `http://localhost:${port}`;
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      MONGODB_URI: '',
      PORT: String(port),
      PUBLIC_URL: toolUrl,
      DEV_LMS_PORT: String(lmsPort),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'wayfinder-serve-')),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 120_000;
  while (!/dev LMS ready/.test(out)) {
    if (child.exitCode !== null) throw new Error(`wayfinder serve exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`wayfinder serve did not become ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    toolUrl,
    lmsUrl: `http://127.0.0.1:${lmsPort}`,
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
