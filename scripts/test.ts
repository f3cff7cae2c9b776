// The whole suite with node's test runner: unit, integration (a real MongoDB-wire server over a
// socket), security and e2e (headless Chromium). One embedded database server serves the run; each
// test file takes a fresh database name on it. `npm test -- unit` runs one layer, `npm test -- FILE…`
// the given files. Chromium is found or installed first (test/support/chromium.ts); without it the
// browser test files are reported as not run and the run fails.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startEmbedded } from '../src/db/embedded.js';
import { findOrInstallChromium } from '../test/support/chromium.js';

const args = process.argv.slice(2);
const layers = args.length ? args.filter((a) => !a.endsWith('.ts')) : ['unit', 'integration', 'security', 'e2e'];

function find(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return find(p);
    return name.endsWith('.test.ts') ? [p] : [];
  });
}

const files = [...layers.flatMap((l) => find(join('test', l))), ...args.filter((a) => a.endsWith('.ts'))];
if (files.length === 0) {
  console.error(`no test files under ${layers.map((l) => `test/${l}`).join(', ')}`);
  process.exit(1);
}

/** Does this test file drive a browser (import playwright-core, itself or through test/ helpers)? */
function usesBrowser(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  return [...text.matchAll(/from '([^']+)'/g)].some(([, spec]) => {
    if (spec === 'playwright-core') return true;
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    return spec.startsWith('.') && target.startsWith(resolve('test')) && usesBrowser(target, seen);
  });
}

const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test' };
let notRun: string[] = [];
let chromiumProblem = '';
const browserFiles = files.filter((f) => usesBrowser(f));
if (browserFiles.length) {
  const chromium = findOrInstallChromium({ say: (l) => console.log(`# ${l}`) });
  if ('missing' in chromium) {
    chromiumProblem = chromium.missing;
    notRun = browserFiles;
    console.log(`# ${chromiumProblem}\n# so ${notRun.length} browser test file(s) will NOT RUN: ${notRun.join(', ')}`);
  } else {
    env.CHROMIUM_PATH = chromium.path;
    console.log(`# Chromium: ${chromium.path}${chromium.how === 'installed' ? " (just installed: Debian's chromium package)" : ''}`);
  }
}
const toRun = files.filter((f) => !notRun.includes(f));

let stop = async () => {};
if (toRun.length && !process.env.MONGODB_URI) {
  const dataDir = mkdtempSync(join(tmpdir(), 'wayfinder-test-db-'));
  const server = await startEmbedded(dataDir);
  console.log(`# test database: ${server.kind} at ${server.uri} (data in ${dataDir})`);
  env.WAYFINDER_TEST_MONGODB_URI = server.uri;
  env.WAYFINDER_TEST_DATA_DIR = dataDir;
  stop = server.stop;
} else if (process.env.MONGODB_URI) {
  env.WAYFINDER_TEST_MONGODB_URI = process.env.MONGODB_URI.replace(/\/[^/]*$/, '/');
}
delete env.MONGODB_URI;

let code = 0;
if (toRun.length) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', '--test-reporter=spec', ...toRun],
    { stdio: 'inherit', env },
  );
  code = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  await stop();
}
if (notRun.length) {
  // Said again last, where a reader of the run looks, and never an exit code of success.
  console.log(`\n# NOT RUN: ${notRun.length} browser test file(s), because ${chromiumProblem}\n${notRun.map((f) => `#   ${f}`).join('\n')}`);
  code ||= 1;
}
process.exit(code);
