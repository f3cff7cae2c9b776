import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { which } from '../../src/cli/which.js';
import { chooseLogFormat, prettyLine } from '../../src/log.js';

test('readable logs only in a terminal outside production; JSON lines otherwise', () => {
  assert.equal(chooseLogFormat({ isTTY: true }, 'development'), 'pretty');
  assert.equal(chooseLogFormat({ isTTY: true }, undefined), 'pretty');
  assert.equal(chooseLogFormat({ isTTY: true }, 'production'), 'json');
  assert.equal(chooseLogFormat({ isTTY: false }, 'development'), 'json');
  assert.equal(chooseLogFormat({}, 'development'), 'json');
});

test('a readable line: time, level, message, fields; an error with its stack below', () => {
  const json = JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 1, 9, 5, 7), service: 'wayfinder', pid: 1, url: 'http://localhost:3000', reason: 'two words', err: { message: 'boom', stack: 'Error: boom\n    at x (a.ts:1:1)' }, msg: 'launch refused' });
  const line = prettyLine(json, false);
  assert.match(line, /^\d\d:\d\d:\d\d WARN {2}launch refused {2}url=http:\/\/localhost:3000 reason="two words" err=boom\n {4}Error: boom\n {8}at x \(a\.ts:1:1\)\n$/);
  assert.ok(!line.includes('service'));
  assert.ok(prettyLine(json, true).includes('\x1b[33mWARN \x1b[0m'), 'the level in its colour');
  assert.equal(prettyLine('not json\n', false), 'not json\n');
});

// The real choice, in a real child process: its stdout a pseudo-terminal (util-linux `script`) or a pipe.
const child = `import { log } from './src/log.ts'; log.info({ req: { headers: { authorization: 'Bearer secret-token' } }, port: 3000 }, 'Wayfinder listening')`;
const run = (env: Record<string, string>, tty: boolean): string => {
  const node = `${process.execPath} --import tsx --input-type=module -e "${child}"`;
  const r = tty
    ? spawnSync('script', ['-qec', node, '/dev/null'], { env: { ...process.env, ...env }, encoding: 'utf8', input: '' })
    : spawnSync('sh', ['-c', node], { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

test('a terminal in development gets readable lines, a pipe or production JSON; secrets redacted in both', { skip: !which('script') && 'needs util-linux script for a pseudo-terminal' }, () => {
  const readable = run({ NODE_ENV: 'development' }, true);
  assert.match(stripVTControlCharacters(readable), /^\d\d:\d\d:\d\d INFO {2}Wayfinder listening {2}req=\S+ port=3000\r?$/m);
  assert.doesNotMatch(readable, /"level":30/);
  for (const out of [run({ NODE_ENV: 'development' }, false), run({ NODE_ENV: 'production' }, true)]) {
    const line = JSON.parse(out.trim().split(/\r?\n/).at(-1)!) as { level: number; msg: string; port: number };
    assert.deepEqual([line.level, line.msg, line.port], [30, 'Wayfinder listening', 3000]);
  }
  for (const out of [readable, run({ NODE_ENV: 'production' }, true)]) assert.ok(!out.includes('secret-token') && out.includes('[redacted]'));
});
