import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseArgs } from 'node:util';
import { CliError } from '../../src/cli/command.js';
import { contentCommands } from '../../src/content/commands.js';
import { scopeContent } from '../../src/content/store.js';
import { connectDatabase, disconnectDatabase } from '../../src/db/connection.js';
import { BANKS, bankFile, canvasZip } from '../support/banks.js';
import { freshDatabaseUri } from '../support/db.js';

/** `wayfinder content import FILE` with each bank format: one step, idempotent, all or nothing. */
const uri = freshDatabaseUri('formats_cli');
const scope = { tenantId: 't_formats', courseId: 'c_formats' };
const dir = mkdtempSync(join(tmpdir(), 'wf-banks-'));
const env = { NODE_ENV: 'test', MONGODB_URI: uri, LTI_KEY: 'test-lti-key-0123456789abcdef', DEV_LMS: '0' };
after(async () => disconnectDatabase());

type Output = { status: number; stdout: string; stderr: string; json: () => { created: { id: string; title: string; status: string }[]; skipped: unknown[]; versionId?: string; format: string } };
const args = (a: string[]) => ['content', 'import', ...a, '--tenant', scope.tenantId, '--course', scope.courseId];
const output = (status: number, stdout: string, stderr: string): Output => ({ status, stdout, stderr, json: () => JSON.parse(stdout.trim().split('\n').at(-1)!) });

/** The installed command, in its own process (slow to start: used once). */
function spawned(...a: string[]): Output {
  const r = spawnSync(process.execPath, ['bin/wayfinder.js', ...args(a)], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return output(r.status ?? -1, r.stdout, r.stderr);
}

/** The same command run in this process (its options parsed as src/cli.ts does), its output captured. */
async function cli(...a: string[]): Promise<Output> {
  Object.assign(process.env, env);
  const command = contentCommands.find((c) => c.name === 'content import')!;
  const out: string[] = [];
  const { log } = console;
  console.log = (...m: unknown[]) => void out.push(m.join(' '));
  try {
    const { values, positionals } = parseArgs({ args: args(a).slice(2), options: command.options ?? {}, allowPositionals: true, strict: true });
    const status = (await command.run(values as Record<string, string | boolean | undefined>, positionals)) ?? 0;
    return output(status, out.join('\n'), '');
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    return output(err.exitCode, out.join('\n'), err.message);
  } finally {
    console.log = log;
  }
}

async function stored() {
  await connectDatabase(uri);
  try {
    return await scopeContent(scope);
  } finally {
    await disconnectDatabase();
  }
}

describe('content import of question banks', () => {
  test('a Moodle XML export imports in one step; importing it again changes nothing', async () => {
    const first = spawned(BANKS + 'moodle.xml', '--json');
    assert.equal(first.status, 0, first.stderr);
    const r = first.json();
    assert.equal(r.format, 'moodle-xml');
    assert.equal(r.created.length, 7);
    assert.ok(r.created.every((c) => c.status === 'new'));
    assert.equal(r.skipped.length, 5);
    const again = (await cli(BANKS + 'moodle.xml', '--json')).json();
    assert.deepEqual(again.created.map((c) => [c.id, c.status]), r.created.map((c) => [c.id, 'unchanged']));
  });

  test('the same bank as GIFT updates the same items; an edited question is "changed", the rest keep their ids (and history)', async () => {
    const gift = bankFile('moodle.gift').toString('utf8').replace('Which fraction is shaded?', 'Which fraction of the pizza is shaded?');
    writeFileSync(join(dir, 'bank.txt'), gift);
    const r = await cli(join(dir, 'bank.txt'), '--json');
    assert.equal(r.status, 0, r.stderr);
    const byTitle = new Map(r.json().created.map((c) => [c.title, c]));
    assert.equal(byTitle.get('Half of a pizza')?.status, 'changed');
    assert.equal(byTitle.get('Explain halves')?.status, 'unchanged');
    assert.equal(byTitle.get('Speed of sound')?.status, 'new');
    const content = await stored();
    assert.equal(content.items.filter((i) => i.title === 'Half of a pizza').length, 1, 'no duplicate');
    assert.match(content.items.find((i) => i.title === 'Half of a pizza')!.body, /of the pizza/);
  });

  test('a Canvas QTI zip imports; the human output lists every skipped question with its reason', async () => {
    writeFileSync(join(dir, 'quiz-export.zip'), canvasZip());
    const r = await cli(join(dir, 'quiz-export.zip'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^imported 8 questions \(8 new, 0 changed, 0 unchanged\) from qti into 1 skills and 1 pathways as version v_/);
    assert.match(r.stdout, /skipped .*item 9 "Match the terms": Wayfinder has no item type that scores a "matching" question/);
    assert.match(r.stdout, /warning .*"Diameter".*replaced by its alt text/);
  });

  test('--dry-run stores nothing; --format forces a reader; a bad file is refused whole, naming its place', async () => {
    const before = (await stored()).items.length;
    const dry = await cli(BANKS + 'moodle.xml', '--dry-run', '--json');
    assert.equal(dry.status, 0, dry.stderr);
    assert.equal(dry.json().versionId, undefined);
    const forced = await cli(BANKS + 'moodle.xml', '--format', 'gift');
    assert.notEqual(forced.status, 0);
    assert.match(forced.stderr, /line \d+, column \d+: not valid GIFT/);
    writeFileSync(join(dir, 'truncated.xml'), bankFile('moodle.xml').subarray(0, 5000));
    const truncated = await cli(join(dir, 'truncated.xml'));
    assert.notEqual(truncated.status, 0);
    assert.match(truncated.stderr, /file, line \d+: not well-formed XML/);
    writeFileSync(join(dir, 'gb.txt'), Buffer.from('3a3ad4b2d6dcc2ca3a3aa6d020d4bcb5c8d3da20332e313420c2f0a3bf7b547d0a', 'hex'));
    assert.match((await cli(join(dir, 'gb.txt'))).stderr, /GB18030\/GBK/);
    assert.equal((await stored()).items.length, before, 'nothing was stored');
  });
});
