import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join, resolve } from 'node:path';
import { which } from '../cli/which.js';
import { log } from '../log.js';
import { buildFerretDb, NO_GO_TOOLCHAIN } from './ferretdb_build.js';
import { PATCH_LEVEL } from './ferretdb_patches.js';

/**
 * The embedded MongoDB-wire server for development and tests: FerretDB v1 on SQLite, on a free
 * loopback port, its data under DATA_DIR. Built once from source with the Go toolchain into
 * `.tools/` when not on PATH; without Go, mongodb-memory-server-core stands in.
 */
export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
export const FERRETDB_VERSION = 'v1.24.2';

export interface EmbeddedServer {
  uri: string;
  kind: 'ferretdb' | 'mongodb-memory-server';
  /** Stops the server process; data on disk stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data (for restart and fault tests). */
  restart(): Promise<void>;
}

const projectRoot = resolve(new URL('../..', import.meta.url).pathname);
const toolsRoot = join(projectRoot, '.tools');

export interface EnsureOptions {
  /** Where built binaries live (default: the project's `.tools/`). */
  toolsRoot?: string;
  /** The environment to look up and build with (PATH, FERRETDB_BIN, Go's settings). */
  env?: NodeJS.ProcessEnv;
  /** Progress and explanations, one line each (default: stderr). */
  say?: (line: string) => void;
}

/** Finds the ferretdb binary, building it when Go is available. Returns undefined (having said why) when neither works. */
export async function ensureFerretDb(opts: EnsureOptions = {}): Promise<string | undefined> {
  const env = opts.env ?? process.env;
  const say = opts.say ?? ((l: string) => process.stderr.write(l + '\n'));
  const fromEnv = env.FERRETDB_BIN;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const local = join(opts.toolsRoot ?? toolsRoot, `ferretdb-${FERRETDB_VERSION}+${PATCH_LEVEL}`, 'ferretdb');
  if (existsSync(local)) return local;
  const global = which('ferretdb', env);
  if (global) return global;
  const go = which('go', env);
  if (!go) {
    say(NO_GO_TOOLCHAIN);
    return undefined;
  }
  return buildFerretDb({ module: FERRETDB_MODULE, version: FERRETDB_VERSION, go, bin: local, env, say, tty: opts.say ? undefined : process.stderr });
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

function waitForPort(port: number, timeoutMs: number, proc?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((res, rej) => {
    const attempt = () => {
      if (proc && proc.exitCode !== null) return rej(new Error(`database process exited with code ${proc.exitCode}`));
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        res();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) rej(new Error(`database did not listen on port ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Starts the embedded server with its data in `dataDir`. */
export async function startEmbedded(dataDir: string): Promise<EmbeddedServer> {
  const bin = await ensureFerretDb();
  if (bin) return startFerretDb(bin, dataDir);
  log.warn('FerretDB unavailable (the reason is above): falling back to mongodb-memory-server-core');
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  const server = await MongoMemoryServer.create();
  return {
    uri: server.getUri(),
    kind: 'mongodb-memory-server',
    stop: async () => void (await server.stop({ doCleanup: false })),
    restart: async () => void (await server.start(true)),
  };
}

async function startFerretDb(bin: string, dataDir: string): Promise<EmbeddedServer> {
  const dir = resolve(dataDir, 'ferretdb');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const launch = async () => {
    proc = spawn(
      bin,
      [
        '--handler=sqlite',
        // WAL with synchronous=NORMAL: durable across process crashes (the restart tests), half
        // the latency of FULL; only an OS crash can lose the last commits of a dev database.
        `--sqlite-url=file:${dir}/?_pragma=synchronous(NORMAL)`,
        `--state-dir=${dir}`,
        `--listen-addr=127.0.0.1:${port}`,
        '--debug-addr=127.0.0.1:0',
        '--telemetry=disable',
        '--log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    proc.stderr?.on('data', (d: Buffer) => log.debug({ ferretdb: d.toString().trim() }, 'ferretdb'));
    await waitForPort(port, 20000, proc);
  };
  const stop = () =>
    new Promise<void>((res) => {
      const p = proc;
      if (!p || p.exitCode !== null) return res();
      p.once('exit', () => res());
      p.kill('SIGTERM');
      setTimeout(() => p.exitCode === null && p.kill('SIGKILL'), 5000).unref();
    });
  await launch();
  const exitHook = () => proc?.kill('SIGTERM');
  process.once('exit', exitHook);
  return { uri: `mongodb://127.0.0.1:${port}/`, kind: 'ferretdb', stop, restart: launch };
}
