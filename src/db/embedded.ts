import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join, resolve } from 'node:path';
import { log } from '../log.js';

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
const toolsDir = join(projectRoot, '.tools', `ferretdb-${FERRETDB_VERSION}`);

function onPath(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/** Finds the ferretdb binary, building it when Go is available. Returns undefined when neither works. */
export function ensureFerretDb(onProgress: (line: string) => void = (l) => process.stderr.write(l + '\n')): string | undefined {
  const fromEnv = process.env.FERRETDB_BIN;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const local = join(toolsDir, 'ferretdb');
  if (existsSync(local)) return local;
  const global = onPath('ferretdb');
  if (global) return global;
  const go = onPath('go');
  if (!go) return undefined;
  onProgress(`Building FerretDB ${FERRETDB_VERSION} with Go (first run only, takes a few minutes)…`);
  // `go install …@v1.24.2` yields a binary that panics: the module zip lacks build/version/version.txt,
  // which FerretDB's release build generates. So: download the module, add that file, build it.
  const dl = spawnSync(go, ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], {
    encoding: 'utf8',
  });
  if (dl.status !== 0) {
    onProgress(`FerretDB download failed: ${dl.stderr.trim().split('\n').pop()}`);
    return undefined;
  }
  const srcDir = join(toolsDir, 'src');
  rmSync(srcDir, { recursive: true, force: true });
  mkdirSync(toolsDir, { recursive: true });
  cpSync(JSON.parse(dl.stdout).Dir as string, srcDir, { recursive: true });
  chmodSync(join(srcDir, 'build', 'version'), 0o755);
  writeFileSync(join(srcDir, 'build', 'version', 'version.txt'), FERRETDB_VERSION + '\n');
  const started = Date.now();
  const ticker = setInterval(() => onProgress(`  still building FerretDB… ${Math.round((Date.now() - started) / 1000)}s`), 15000);
  const build = spawnSync(go, ['build', '-trimpath', '-o', local, './cmd/ferretdb'], {
    cwd: srcDir,
    encoding: 'utf8',
    env: { ...process.env, CGO_ENABLED: '0' },
  });
  clearInterval(ticker);
  rmSync(srcDir, { recursive: true, force: true });
  if (build.status !== 0 || !existsSync(local)) {
    onProgress(`FerretDB build failed: ${build.stderr.trim().split('\n').slice(-3).join(' ')}`);
    return undefined;
  }
  onProgress(`FerretDB built in ${Math.round((Date.now() - started) / 1000)}s: ${local}`);
  return local;
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
  const bin = ensureFerretDb();
  if (bin) return startFerretDb(bin, dataDir);
  log.warn('FerretDB unavailable (no Go toolchain): falling back to mongodb-memory-server-core');
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
