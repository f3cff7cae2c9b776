import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findChromium, findOrInstallChromium } from '../support/chromium.js';

// The machine's own browser, which the "found" and "installed" cases point at.
const real = findChromium();
const realPath = 'path' in real ? real.path : undefined;
const dir = () => mkdtempSync(join(tmpdir(), 'wayfinder-chromium-'));

/** An apt-get that installs the package by linking the machine's Chromium into `dest`, after `failFirst` refusals. */
function aptGetInto(dest: string, failFirst: number): { path: string; calls: () => string[] } {
  const bin = dir();
  const log = join(bin, 'calls');
  writeFileSync(log, '');
  const script = `#!/bin/sh
echo "$*" >> ${log}
n=$(/usr/bin/wc -l < ${log})
if [ "$1" = install ] && [ "$n" -gt ${failFirst} ]; then /bin/ln -sf ${realPath ?? '/nonexistent'} ${dest}/chromium; exit 0; fi
if [ "$1" = update ]; then exit 0; fi
echo "E: Unable to locate package chromium" >&2; exit 100
`;
  writeFileSync(join(bin, 'apt-get'), script);
  chmodSync(join(bin, 'apt-get'), 0o755);
  return { path: bin, calls: () => readFileSync(log, 'utf8').trim().split('\n') };
}

test('found: CHROMIUM_PATH when set, else a Chromium on PATH', { skip: !realPath && 'this machine has no Chromium to find' }, () => {
  assert.deepEqual(findChromium({ CHROMIUM_PATH: realPath }), { path: realPath, how: 'CHROMIUM_PATH' });
  const bin = dir();
  symlinkSync(realPath!, join(bin, 'chromium-browser'));
  assert.deepEqual(findChromium({ PATH: `${dir()}:${bin}` }), { path: join(bin, 'chromium-browser'), how: 'found' });
  // found means nothing is installed, even as root
  assert.deepEqual(findOrInstallChromium({ env: { PATH: bin }, mayInstall: true }), { path: join(bin, 'chromium-browser'), how: 'found' });
});

test("installed: as root with apt, Debian's chromium package (refreshing the package lists when the first try fails)", { skip: !realPath && 'this machine has no Chromium to install from' }, () => {
  const dest = dir();
  const apt = aptGetInto(dest, 1);
  const said: string[] = [];
  const r = findOrInstallChromium({ env: { PATH: `${apt.path}:${dest}` }, mayInstall: true, say: (l) => said.push(l) });
  assert.deepEqual(r, { path: join(dest, 'chromium'), how: 'installed' });
  assert.deepEqual(apt.calls(), ['install -y --no-install-recommends chromium', 'update', 'install -y --no-install-recommends chromium']);
  assert.match(said.join('\n'), /installing Debian's chromium package/);
  // what was installed runs
  assert.match(spawnSync(r.path, ['--version'], { encoding: 'utf8' }).stdout, /Chrom/);
});

test('missing: one line saying what to install and how', () => {
  const empty = dir();
  for (const mayInstall of [false, true]) {
    // not root, or root without apt-get
    const r = findOrInstallChromium({ env: { PATH: empty }, mayInstall });
    assert.ok('missing' in r);
    assert.match(r.missing, /^Chromium not found \(none of chromium, .* on PATH\): install .*apt-get install chromium.*or set CHROMIUM_PATH/);
    assert.ok(!r.missing.includes('\n'));
  }
  const wrong = findOrInstallChromium({ env: { PATH: empty, CHROMIUM_PATH: join(empty, 'nope') }, mayInstall: true });
  assert.ok('missing' in wrong);
  assert.match(wrong.missing, /CHROMIUM_PATH=.*nope is not an executable file/);
});

test('missing: an apt-get that cannot install says why', () => {
  const dest = dir();
  const apt = aptGetInto(dest, 99);
  const r = findOrInstallChromium({ env: { PATH: `${apt.path}:${dest}` }, mayInstall: true });
  assert.ok('missing' in r);
  assert.match(r.missing, /could not be installed with apt-get \(E: Unable to locate package chromium\): install/);
});

test('npm test reports the browser tests as not run, never as passing', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/test.ts', 'test/unit/devlms/browser.test.ts'], {
    env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /CHROMIUM_PATH=\/nonexistent\/chromium is not an executable file/);
  assert.match(r.stdout, /# NOT RUN: 1 browser test file\(s\), because .*\n# {3}test\/unit\/devlms\/browser\.test\.ts/);
  assert.doesNotMatch(r.stdout, /# pass/);
});
