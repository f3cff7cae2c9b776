// Issue 14, finding 17 (fail-open configuration): production must refuse guessable, public and
// shared secrets, saying what to set; real random secrets still start.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ConfigError, DEV_LTI_KEY, estimatedSecretBits, loadConfig, MIN_SECRET_BITS } from '../../src/config.js';

const production = { NODE_ENV: 'production', PUBLIC_URL: 'https://wayfinder.example.edu', MONGODB_URI: 'mongodb://mongo:27017/wayfinder' };
const random = () => randomBytes(32).toString('base64');

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...production, ...env });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  return [];
}

const guessable = ['aaaaaaaaaaaaaaaa', 'abababababababababab', 'abcdefghijklmnopqrstuvwxyz', '0123456789012345678901234567', 'zyxwvutsrqponmlkjihgfedcba'];

test('production refuses a guessable LTI_KEY, naming it and saying what to set', () => {
  for (const key of guessable) {
    const p = problems({ LTI_KEY: key });
    assert.equal(p.length, 1, `${key}: ${p.join('\n')}`);
    assert.match(p[0], /^LTI_KEY: too predictable for production \(about \d+ bits of randomness, at least 64 needed\); set a random value, e.g. the output of `openssl rand -base64 32`$/);
    assert.ok(!p[0].includes(key), 'the secret is not echoed');
  }
});

test('production refuses a guessable ADMIN_TOKEN, and one equal to LTI_KEY or to the public development key', () => {
  const key = random();
  assert.match(problems({ LTI_KEY: key, ADMIN_TOKEN: 'aaaaaaaaaaaaaaaa' }).join('\n'), /^ADMIN_TOKEN: too predictable for production/);
  for (const token of [key, DEV_LTI_KEY]) {
    const p = problems({ LTI_KEY: key, ADMIN_TOKEN: token });
    assert.deepEqual(p, ['ADMIN_TOKEN: must differ from LTI_KEY and from the development key (one leaked value would give away both); set a random value, e.g. the output of `openssl rand -base64 32`']);
  }
  // both weak and equal: the issue's own example, both problems reported at once
  assert.deepEqual(
    problems({ LTI_KEY: 'aaaaaaaaaaaaaaaa', ADMIN_TOKEN: 'aaaaaaaaaaaaaaaa' }).map((l) => l.split(':')[0]),
    ['LTI_KEY', 'ADMIN_TOKEN'],
  );
});

test('real random secrets start in production; development and tests keep their defaults', () => {
  for (let i = 0; i < 20; i++) {
    const c = loadConfig({ ...production, LTI_KEY: random(), ADMIN_TOKEN: randomBytes(16).toString('hex') });
    assert.equal(c.nodeEnv, 'production');
  }
  assert.ok(estimatedSecretBits(randomBytes(32).toString('base64')) > 3 * MIN_SECRET_BITS);
  assert.equal(loadConfig({}).ltiKey, DEV_LTI_KEY);
  assert.equal(loadConfig({ NODE_ENV: 'test', LTI_KEY: 'aaaaaaaaaaaaaaaa', ADMIN_TOKEN: 'aaaaaaaaaaaaaaaa' }).adminToken, 'aaaaaaaaaaaaaaaa');
});

test('`wayfinder serve` in production with LTI_KEY=aaaaaaaaaaaaaaaa and ADMIN_TOKEN equal to it does not start', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    env: { ...process.env, ...production, LTI_KEY: 'aaaaaaaaaaaaaaaa', ADMIN_TOKEN: 'aaaaaaaaaaaaaaaa', DEV_LMS: '0' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 78);
  assert.match(r.stderr, /configuration problems:\n {2}LTI_KEY: too predictable for production.*\n {2}ADMIN_TOKEN: must differ from LTI_KEY/);
  assert.ok(!r.stderr.includes('aaaaaaaaaaaaaaaa'));
});
