import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ConfigError, DEV_LTI_KEY, loadConfig } from '../../src/config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

test('development defaults need no environment at all', () => {
  const c = loadConfig({});
  assert.equal(c.nodeEnv, 'development');
  assert.equal(c.port, 3000);
  assert.equal(c.publicUrl, 'http://localhost:3000');
  assert.equal(c.devLms, true);
  assert.equal(c.clockSkewSeconds, 60);
  assert.equal(c.dataDir, '.data');
  assert.equal(c.mongodbUri, undefined);
});

const invalid: [string, string, RegExp][] = [
  ['PORT', 'eighty', /^PORT: expected a whole number/],
  ['PORT', '70000', /^PORT: expected a number from 0 to 65535/],
  ['PUBLIC_URL', 'not a url', /^PUBLIC_URL: expected the absolute URL/],
  ['MONGODB_URI', 'postgres://x', /^MONGODB_URI: expected a mongodb:\/\//],
  ['LTI_KEY', 'short', /^LTI_KEY: expected at least 16 characters/],
  ['ADMIN_TOKEN', 'short', /^ADMIN_TOKEN: expected at least 16 characters/],
  ['NODE_ENV', 'staging', /^NODE_ENV: expected development, production or test/],
  ['DEV_LMS', 'yes', /^DEV_LMS: expected 1 or 0/],
  ['LOG_LEVEL', 'loud', /^LOG_LEVEL: expected one of/],
  ['TRUST_PROXY', 'every$thing', /^TRUST_PROXY: expected 0, 1/],
  ['CLOCK_SKEW_SECONDS', '-5', /^CLOCK_SKEW_SECONDS: expected a whole number/],
  ['DATA_DIR', '', /^DATA_DIR: expected a folder path/],
  ['RETENTION_DAYS', '0', /^RETENTION_DAYS: expected a number from 1/],
  ['RETRAIN_INTERVAL_HOURS', 'daily', /^RETRAIN_INTERVAL_HOURS: expected a whole number/],
];

for (const [name, value, message] of invalid) {
  test(`${name}=${JSON.stringify(value)} is refused with a message naming it`, () => {
    const p = problems({ [name]: value });
    assert.equal(p.length, 1, p.join('\n'));
    assert.match(p[0], message);
  });
}

test('secrets are not echoed in messages', () => {
  const [p] = problems({ LTI_KEY: 'short' });
  assert.ok(!p.includes('short'), p);
});

test('production refuses dev defaults, one line per problem', () => {
  const p = problems({ NODE_ENV: 'production', LTI_KEY: DEV_LTI_KEY, DEV_LMS: '1', PUBLIC_URL: 'http://tool.example.edu' });
  assert.deepEqual(
    p.map((l) => l.split(':')[0]),
    ['LTI_KEY', 'DEV_LMS', 'PUBLIC_URL', 'MONGODB_URI'],
  );
  assert.match(p.find((l) => l.startsWith('PUBLIC_URL'))!, /must be https/);
});

test('production with real settings is accepted', () => {
  const c = loadConfig({
    NODE_ENV: 'production',
    LTI_KEY: 'a-long-production-secret-value',
    PUBLIC_URL: 'https://wayfinder.example.edu/',
    MONGODB_URI: 'mongodb://mongo:27017/wayfinder',
  });
  assert.equal(c.devLms, false);
  assert.equal(c.publicUrl, 'https://wayfinder.example.edu');
});

test('the process stops with a non-zero exit and one line per problem', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    env: { ...process.env, PORT: 'x', LOG_LEVEL: 'loud', NODE_ENV: 'development', MONGODB_URI: '' },
    encoding: 'utf8',
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /PORT: expected a whole number/);
  assert.match(r.stderr, /LOG_LEVEL: expected one of/);
});
