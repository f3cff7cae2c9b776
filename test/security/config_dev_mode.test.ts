// Issue 14, finding 17 (fail-open configuration): an unset NODE_ENV means development — the
// public dev key, the dev LMS, the embedded database — so `npm start` must say so loudly, in its
// start block at a terminal and as a warning log line elsewhere. Issue 19: the block also says
// where the tool, the dev LMS, the admin console and the data are.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { which } from '../../src/cli/which.js';
import { freePort } from '../../src/db/embedded.js';
import { serveLikeReadme } from '../support/serve.js';

async function until(what: RegExp, output: () => string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!what.test(output())) {
    if (exited() || Date.now() > deadline) throw new Error(`never saw ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('at a terminal with NODE_ENV unset: readable logs, then the start block with the development warning', { skip: !which('script') && 'needs util-linux script for a pseudo-terminal' }, async () => {
  const [port, lmsPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'wayfinder-serve-'));
  const env: NodeJS.ProcessEnv = { ...process.env, MONGODB_URI: '', PORT: String(port), DEV_LMS_PORT: String(lmsPort), DATA_DIR: dataDir, LOG_LEVEL: 'info' };
  delete env.NODE_ENV;
  delete env.PUBLIC_URL;
  // util-linux `script` gives the process a pseudo-terminal, as a person's shell would.
  const child = spawn('script', ['-qec', `${process.execPath} --import tsx src/cli.ts serve`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await until(/DEVELOPMENT MODE[^]*\n\s*\n/, () => out, () => child.exitCode !== null);
    const plain = stripVTControlCharacters(out).replace(/\r/g, '');
    assert.match(plain, /^\d\d:\d\d:\d\d INFO {2}Wayfinder listening {2}url=http:\/\/localhost:\d+ port=\d+$/m);
    assert.doesNotMatch(plain, /"level":/);
    const block = plain.slice(plain.indexOf('Wayfinder is ready'));
    assert.match(block, /^Wayfinder is ready \(development mode\)\n\n/);
    assert.match(block, new RegExp(`\\n {4}Tool {12}http://localhost:${port}\\n`));
    assert.match(block, new RegExp(`\\n {4}Dev LMS {9}http://127\\.0\\.0\\.1:${lmsPort}/dev/lms {3}← open this`));
    assert.match(block, new RegExp(`\\n {4}Admin console {3}http://localhost:${port}/admin {3}\\(launch as an Administrator, or set ADMIN_TOKEN to sign in\\)`));
    assert.match(block, new RegExp(`\\n {4}Data {12}${dataDir} \\(embedded FerretDB`));
    assert.match(
      block.replace(/\n\s+/g, ' '),
      /⚠ {2}DEVELOPMENT MODE: NODE_ENV is "development" \(or unset\), so it uses the public development LTI_KEY, the dev LMS .* and the embedded database\. Never serve real learners like this: set NODE_ENV=production/,
    );
  } finally {
    // Ending `script` hangs up its terminal, which ends the tool.
    child.kill('SIGTERM');
  }
  const deadline = Date.now() + 15_000;
  while (await fetch(`http://localhost:${port}/healthz`).then(() => true, () => false)) {
    assert.ok(Date.now() < deadline, 'the tool ended with its terminal');
    await new Promise((r) => setTimeout(r, 200));
  }
});

test('not at a terminal: the same facts as JSON log lines, the development mode as a warning', async () => {
  const served = await serveLikeReadme();
  try {
    await until(/DEVELOPMENT MODE/, served.output, () => served.process.exitCode !== null);
    const lines = served
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const ready = lines.find((l) => l.msg === 'Wayfinder ready');
    assert.ok(ready);
    assert.equal(ready.tool, served.toolUrl);
    assert.equal(ready.devLms, `${served.lmsUrl}/dev/lms`);
    assert.equal(ready.admin, `${served.toolUrl}/admin`);
    assert.match(String(ready.data), /wayfinder-serve-.* \(embedded FerretDB/);
    const warning = lines.find((l) => l.developmentMode === true);
    assert.equal(warning?.level, 40);
    assert.match(String(warning?.msg), /^DEVELOPMENT MODE: NODE_ENV is "development" \(or unset\), so it uses the public development LTI_KEY/);
  } finally {
    await served.stop();
  }
});
