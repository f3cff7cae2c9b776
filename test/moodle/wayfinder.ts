import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbedded } from '../../src/db/embedded.js';

/**
 * Wayfinder as the README starts it for a real LMS: `wayfinder serve` with DEV_LMS=0 and a
 * PUBLIC_URL on `localhost` (Moodle is on 127.0.0.1, so the tool is cross-site in its iframe). Its
 * database is a fresh embedded FerretDB that the `wayfinder` CLI reaches too (MONGODB_URI).
 */
export interface RunningWayfinder {
  url: string;
  adminToken: string;
  logFile: string;
  /** The database the server and the CLI use. */
  mongoUri: string;
  /** Everything the server logged so far (JSON lines). */
  log(): string;
  /** Runs `npx wayfinder ARGS --json` against the same database; returns its last JSON line. */
  cli(args: string[]): Record<string, unknown>;
  /** GET/POST on the admin API. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

export async function startWayfinder(port: number): Promise<RunningWayfinder> {
  const dir = mkdtempSync(join(tmpdir(), 'wayfinder-moodle-'));
  const db = await startEmbedded(join(dir, 'db'));
  const url = `http://localhost:${port}`;
  const adminToken = `moodle-journey-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    DEV_LMS: '0',
    PORT: String(port),
    PUBLIC_URL: url,
    MONGODB_URI: `${db.uri}wayfinder`,
    ADMIN_TOKEN: adminToken,
    DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'info',
    RETRAIN_INTERVAL_HOURS: '0',
  };
  const logFile = join(dir, 'wayfinder.log');
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wayfinder serve exited with ${child.exitCode}; see ${logFile}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`wayfinder serve did not answer /healthz within 2 minutes; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    adminToken,
    logFile,
    mongoUri: env.MONGODB_URI,
    log: () => readFileSync(logFile, 'utf8'),
    cli(args) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args, '--json'], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`wayfinder ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
      return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    },
    async admin(method, path, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await db.stop();
    },
  };
}

/** Runs a PHP script of this folder as Moodle's web user (as setup.sh runs its own). */
export function moodlePhp(moodleDir: string, script: string, args: string[]): Record<string, unknown> {
  const r = spawnSync('runuser', ['-u', 'www-data', '--', 'php', script, moodleDir, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`php ${script} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}
