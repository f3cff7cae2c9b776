import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/db/embedded.js';

export interface ServedTool extends ServeProcess {
  toolUrl: string;
  lmsUrl: string;
}

/**
 * Runs what the README's first command runs (`npm start` = `wayfinder serve`) as its own process:
 * embedded database under a fresh DATA_DIR, demo content and the dev LMS on its own port.
 */
export async function serveLikeReadme(env: Record<string, string> = {}): Promise<ServedTool> {
  const port = await freePort();
  const lmsPort = await freePort();
  const toolUrl = `http://localhost:${port}`;
  const served = await spawnServe(
    {
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
    /dev LMS ready/,
    120_000,
  );
  return { toolUrl, lmsUrl: `http://127.0.0.1:${lmsPort}`, ...served };
}

export interface ServeProcess {
  process: ChildProcess;
  /** Everything the process printed. */
  output(): string;
  stop(): Promise<void>;
}

/** `wayfinder serve` as its own process with `env`, resolved once its output matches `ready`. */
export async function spawnServe(
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  timeoutMs: number,
): Promise<ServeProcess> {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + timeoutMs;
  while (!ready.test(out)) {
    if (child.exitCode !== null) throw new Error(`wayfinder serve exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`wayfinder serve did not become ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
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
