// The whole suite with node's test runner: unit, integration (a real MongoDB-wire server over a
// socket) and e2e (headless Chromium). One embedded database server serves the run; each test
// file takes a fresh database name on it. `npm test -- unit` runs one layer, `npm test -- FILE…`
// the given files.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbedded } from '../src/db/embedded.js';

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

const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test' };
let stop = async () => {};
if (!process.env.MONGODB_URI) {
  const dataDir = mkdtempSync(join(tmpdir(), 'wayfinder-test-db-'));
  const server = await startEmbedded(dataDir);
  console.log(`# test database: ${server.kind} at ${server.uri} (data in ${dataDir})`);
  env.WAYFINDER_TEST_MONGODB_URI = server.uri;
  env.WAYFINDER_TEST_DATA_DIR = dataDir;
  stop = server.stop;
} else {
  env.WAYFINDER_TEST_MONGODB_URI = process.env.MONGODB_URI.replace(/\/[^/]*$/, '/');
}
delete env.MONGODB_URI;

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env },
);
const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
await stop();
process.exit(code);
