import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { which } from '../../../src/cli/which.js';
import { ensureFerretDb } from '../../../src/db/embedded.js';

// A fresh .tools (and no ferretdb on PATH), so each case really tries to build.
const fresh = () => mkdtempSync(join(tmpdir(), 'wayfinder-tools-'));
const go = which('go');

test('no Go toolchain: says so, what to install, and that the fallback is used', async () => {
  const said: string[] = [];
  const bin = await ensureFerretDb({ toolsRoot: fresh(), env: { PATH: fresh() }, say: (l) => said.push(l) });
  assert.equal(bin, undefined);
  assert.equal(said.length, 1);
  assert.match(said[0], /no Go toolchain on PATH.*install Go 1\.24 or newer.*falls back to mongodb-memory-server-core/);
});

test('an unreachable registry: the steps so far, then which registry (from go env GOPROXY) and what to do', { skip: !go && 'needs the Go toolchain' }, async () => {
  const said: string[] = [];
  const started = Date.now();
  const bin = await ensureFerretDb({
    toolsRoot: fresh(),
    // a proxy on a closed loopback port and an empty module cache: the download must go to the network and fail
    env: { PATH: dirname(go!), HOME: fresh(), GOPROXY: 'http://127.0.0.1:9', GOMODCACHE: fresh(), GOCACHE: fresh(), GOFLAGS: '-mod=mod', GOSUMDB: 'off', GOTOOLCHAIN: 'local' },
    say: (l) => said.push(l),
  });
  assert.equal(bin, undefined);
  assert.match(said[0], /^FerretDB v1\.24\.2: building it once from source with Go/);
  assert.match(said[1], /^ {2}\[1\/3\] downloading the module github\.com\/FerretDB\/FerretDB@v1\.24\.2… \(\d+s\)$/);
  assert.match(said[2], /^FerretDB build failed while downloading the module .*: the Go module proxy 127\.0\.0\.1:9 \(GOPROXY=http:\/\/127\.0\.0\.1:9\) was unreachable \(.*connection refused.*\)\. Check the network .* falls back/);
  assert.equal(said.length, 3);
  assert.ok(Date.now() - started < 30_000);
});
