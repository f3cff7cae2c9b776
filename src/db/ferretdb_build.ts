import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSeconds, ProgressBar } from '../cli/progress.js';
import { applyFerretDbPatches } from './ferretdb_patches.js';

/**
 * Builds FerretDB from source with the Go toolchain, once, showing each step with its elapsed
 * time (a bar while compiling in a terminal), and explaining a failure: what went wrong and what
 * to do next. The caller falls back to mongodb-memory-server-core when this returns undefined.
 */
export interface BuildOptions {
  module: string;
  version: string;
  go: string;
  /** Where the binary goes (`.tools/ferretdb-VERSION/ferretdb`). */
  bin: string;
  /** The environment Go runs with (GOPROXY, GOMODCACHE, … come from here). */
  env: NodeJS.ProcessEnv;
  /** Where progress and explanations go, one line each. */
  say: (line: string) => void;
  /** A terminal to draw the compile bar on; plain step lines otherwise. */
  tty?: NodeJS.WriteStream;
}

const FALLBACK =
  'Wayfinder falls back to mongodb-memory-server-core (it downloads a mongod, which needs the internet too); ' +
  'or set MONGODB_URI to a MongoDB you run, or FERRETDB_BIN to a ferretdb binary.';

/** Said when there is no `go` on PATH. */
export const NO_GO_TOOLCHAIN =
  'FerretDB: no Go toolchain on PATH, so it cannot be built. To use FerretDB (the default embedded database), ' +
  `install Go 1.24 or newer (e.g. \`apt-get install golang-go\`, or from Go's site) and start again. ${FALLBACK}`;

const NETWORK_ERROR = /dial tcp|no such host|connection refused|connection reset|i\/o timeout|TLS handshake|network is unreachable|proxyconnect|server misbehaving|timeout awaiting/i;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string, onStderrLine?: (l: string) => void): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      if (onStderrLine) lines.forEach(onStderrLine);
    });
    child.on('error', (err) => resolve({ code: -1, stdout, stderr: stderr + err.message }));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Which registry Go downloads from, read from `go env GOPROXY` (the first entry is the one a network error comes from). */
export function moduleRegistry(go: string, env: NodeJS.ProcessEnv): string {
  const value = spawnSync(go, ['env', 'GOPROXY'], { env, encoding: 'utf8' }).stdout?.trim() ?? '';
  const first = value.split(/[,|]/)[0] ?? '';
  if (first === 'off') return 'no registry (GOPROXY=off forbids downloads)';
  if (first === 'direct' || first === '') return `the module's own source host (GOPROXY=${value || 'direct'})`;
  let host = first;
  try {
    host = new URL(first).host;
  } catch {
    // not a URL: name the entry as configured
  }
  return `the Go module proxy ${host} (GOPROXY=${value})`;
}

/** One line saying why a Go step failed and what to do. */
export function explainFailure(step: string, ran: Ran, go: string, env: NodeJS.ProcessEnv): string {
  const lines = ran.stderr.trim().split('\n').filter(Boolean);
  const cause = lines.slice(-2).join(' ').slice(0, 400) || `exit code ${ran.code}`;
  if (NETWORK_ERROR.test(ran.stderr)) {
    return (
      `FerretDB build failed while ${step}: ${moduleRegistry(go, env)} was unreachable (${cause}). ` +
      `Check the network or proxy settings, or point GOPROXY at a module proxy you can reach, and start again. ${FALLBACK}`
    );
  }
  return `FerretDB build failed while ${step} (${cause}). Fix the cause shown and start again. ${FALLBACK}`;
}

/** Module cache files are read-only; the copy is made writable so it can be edited and removed. */
function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(p);
    else chmodSync(p, 0o644);
  }
}

export async function buildFerretDb(o: BuildOptions): Promise<string | undefined> {
  const started = Date.now();
  const elapsed = () => formatSeconds((Date.now() - started) / 1000);
  const toolsDir = join(o.bin, '..');
  const srcDir = join(toolsDir, `src-${process.pid}`);
  const tmpBin = `${o.bin}.${process.pid}.tmp`;
  o.say(`FerretDB ${o.version}: building it once from source with Go into ${toolsDir} (first start only, a few minutes)`);

  // Plain step lines, repeated every 15 s with the elapsed time, unless a bar shows the progress.
  const step = async (n: number, what: string, work: () => Promise<Ran>, bar?: ProgressBar): Promise<Ran | undefined> => {
    o.say(`  [${n}/3] ${what}… (${elapsed()})`);
    const ticker = bar ? undefined : setInterval(() => o.say(`  [${n}/3] still ${what}… (${elapsed()})`), 15_000);
    const ran = await work().finally(() => clearInterval(ticker));
    if (ran.code === 0) return ran;
    if (bar) o.tty?.write('\n');
    o.say(explainFailure(what, ran, o.go, o.env));
    return undefined;
  };

  try {
    // `go install …@VERSION` yields a binary that panics: the module zip lacks build/version/version.txt,
    // which FerretDB's release build generates. So: download the module, add that file, apply
    // Wayfinder's patches (ferretdb_patches.ts), build it.
    const dl = await step(1, `downloading the module ${o.module}@${o.version}`, async () => {
      const ran = await run(o.go, ['mod', 'download', '-json', `${o.module}@${o.version}`], o.env);
      // With -json, Go reports a failed download in the JSON's Error field, not on stderr.
      if (ran.code !== 0) ran.stderr += /"Error": (".*")/.exec(ran.stdout)?.[1] ?? '';
      return ran;
    });
    if (!dl) return undefined;
    rmSync(srcDir, { recursive: true, force: true });
    mkdirSync(toolsDir, { recursive: true });
    cpSync(JSON.parse(dl.stdout).Dir as string, srcDir, { recursive: true });
    makeWritable(srcDir);
    writeFileSync(join(srcDir, 'build', 'version', 'version.txt'), o.version + '\n');
    try {
      applyFerretDbPatches(srcDir);
    } catch (err) {
      o.say(`FerretDB build failed while patching its source: ${(err as Error).message}. ${FALLBACK}`);
      return undefined;
    }

    const deps = await step(2, 'downloading its dependencies', async () => {
      const d = await run(o.go, ['mod', 'download'], o.env, srcDir);
      return d.code === 0 ? run(o.go, ['list', '-deps', './cmd/ferretdb'], o.env, srcDir) : d;
    });
    if (!deps) return undefined;

    const total = deps.stdout.trim().split('\n').length;
    const bar = o.tty?.isTTY ? new ProgressBar('  [3/3] compiling', total, o.tty) : undefined;
    let compiled = 0;
    const onLine = (line: string) => {
      // `go build -v` names each package as it compiles it; anything else is an error message.
      if (!/^[\w.\-/]+$/.test(line)) return;
      compiled++;
      bar?.update(Math.min(compiled, total), `packages (${elapsed()})`);
    };
    const build = await step(
      3,
      `compiling ${total} packages`,
      () => run(o.go, ['build', '-v', '-trimpath', '-o', tmpBin, './cmd/ferretdb'], { ...o.env, CGO_ENABLED: '0' }, srcDir, onLine),
      bar,
    );
    if (!build) return undefined;
    bar?.finish(`packages (${elapsed()})`);
    // Renamed into place only when complete, so a concurrent start never runs half a binary.
    renameSync(tmpBin, o.bin);
    o.say(`FerretDB ${o.version} built in ${elapsed()}: ${o.bin}`);
    return o.bin;
  } finally {
    rmSync(srcDir, { recursive: true, force: true });
    rmSync(tmpBin, { force: true });
  }
}
