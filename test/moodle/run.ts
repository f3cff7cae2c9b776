// `npm run test:moodle`: the Moodle journey (test/moodle/journey.test.ts) with node's test runner.
// It needs ../shared/moodle (the Moodle fixture, not part of Wayfinder) and the Moodle it sets up.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { findChromium } from '../support/chromium.js';

const fixture = resolve(process.env.MOODLE_FIXTURE_DIR ?? '../shared/moodle');
if (!existsSync(resolve(fixture, 'setup.sh'))) {
  console.error(`test:moodle: no Moodle fixture at ${fixture}.\nIt lives in ../shared/moodle next to the repository (or set MOODLE_FIXTURE_DIR); it is a test fixture, not part of Wayfinder.`);
  process.exit(1);
}
const chromium = findChromium();
if ('missing' in chromium) {
  console.error(`test:moodle: ${chromium.missing}`);
  process.exit(1);
}
const started = Date.now();
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', 'test/moodle/journey.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test', CHROMIUM_PATH: chromium.path, MOODLE_FIXTURE_DIR: fixture },
});
console.log(`# test:moodle ${r.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(r.status ?? 1);
