import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

it('the dev LMS module refuses to load when NODE_ENV=production', () => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', "await import('./src/devlms/index.ts')"],
    { env: { ...process.env, NODE_ENV: 'production' }, encoding: 'utf8' },
  );
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /refuses to load when NODE_ENV=production/);
});
