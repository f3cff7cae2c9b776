// The set-up the HTTP benchmarks share: an embedded database, the tool (as its own process, so it
// has a core to itself as in production, or in the bench's process when the bench reads the
// tool's database directly) and a dev LMS registered with it.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startEmbedded, type EmbeddedServer } from '../src/db/embedded.js';
import { loadConfig } from '../src/config.js';
import { startDevLms, type DevLms } from '../src/devlms/index.js';
import { startTool } from '../src/server.js';

export const BENCH_CLIENT_ID = 'bench';
const ADMIN = 'bench-admin-token-0123456789';

export interface BenchTool {
  toolUrl: string;
  /** The tool's process id (own process only), for CPU readings. */
  pid?: number;
  dbUri: string;
  db: EmbeddedServer;
  lms: DevLms;
  stop(): Promise<void>;
}

export async function startToolProcess(label: string): Promise<BenchTool> {
  const db = await startEmbedded(mkdtempSync(join(tmpdir(), 'wayfinder-bench-')));
  const dbUri = `${db.uri}bench_${label}`;
  const port = await freePort();
  const toolUrl = `http://localhost:${port}`;
  const tool = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    env: { ...process.env, NODE_ENV: 'test', PORT: String(port), PUBLIC_URL: toolUrl, MONGODB_URI: dbUri, DEV_LMS: '0', ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  process.once('exit', () => tool.kill('SIGTERM')); // a bench that fails must not leave the tool running
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${toolUrl}/healthz`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 600) throw new Error('the tool did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const lms = await startRegisteredLms(toolUrl);
  return {
    toolUrl,
    pid: tool.pid,
    dbUri,
    db,
    lms,
    async stop() {
      await lms.stop();
      tool.kill('SIGTERM');
      await new Promise((r) => tool.once('exit', r));
      await db.stop();
    },
  };
}

/** The tool in this process (its mongoose connection is the bench's), on a new embedded database. */
export async function startToolInProcess(label: string): Promise<Omit<BenchTool, 'dbUri'>> {
  const db = await startEmbedded(mkdtempSync(join(tmpdir(), 'wayfinder-bench-')));
  const port = await freePort();
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', PORT: String(port), PUBLIC_URL: `http://localhost:${port}`, MONGODB_URI: `${db.uri}bench_${label}`, DEV_LMS: '0', ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn', LTI_KEY: 'bench-lti-key-0123456789abcdef' });
  const tool = await startTool(config);
  const lms = await startRegisteredLms(tool.url);
  return {
    toolUrl: tool.url,
    db,
    lms,
    async stop() {
      await lms.stop();
      await tool.close();
      await db.stop();
    },
  };
}

/** A dev LMS with the tool pre-registered as client BENCH_CLIENT_ID, registered with the tool in turn. */
async function startRegisteredLms(toolUrl: string): Promise<DevLms> {
  const lms = await startDevLms({
    port: 0,
    toolUrl,
    clientId: BENCH_CLIENT_ID,
    deploymentId: '1',
    preRegistered: {
      clientId: BENCH_CLIENT_ID,
      toolJwksUrl: `${toolUrl}/lti/keys`,
      loginUrl: `${toolUrl}/lti/login`,
      launchUrl: `${toolUrl}/lti/launch`,
      deepLinking: true,
    },
  });
  const reg = await fetch(`${toolUrl}/api/admin/platforms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...lms.registration(BENCH_CLIENT_ID), name: 'bench LMS' }),
  });
  if (reg.status !== 201) throw new Error(`registering the LMS failed: ${reg.status} ${await reg.text()}`);
  return lms;
}
