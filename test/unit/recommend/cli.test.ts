import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CliError } from '../../../src/cli/command.js';
import { recommendCommands } from '../../../src/recommend/commands.js';
import { datasetsDir } from './fixtures.js';

const command = (name: string) => recommendCommands.find((c) => c.name === name)!;
const testFile = path.join(datasetsDir, 'assist2009', 'test.csv');

async function rejectsWithUsageError(run: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(run, (err: unknown) => err instanceof CliError && err.exitCode === 2 && message.test(err.message));
}

test('exports train and eval', () => {
  assert.deepEqual(
    recommendCommands.map((c) => c.name),
    ['train', 'eval'],
  );
});

test('an unknown model name lists the valid ones', async () => {
  await rejectsWithUsageError(command('eval').run({ model: 'lstm', train: testFile, test: testFile }, []), /unknown model "lstm".*matching, relation, proto, maml, item-rate, heuristic, irt, dkt/);
});

test('a missing file is named', async () => {
  await rejectsWithUsageError(command('train').run({ model: 'irt', train: '/no/such/train.csv' }, []), /\/no\/such\/train\.csv/);
});

test('a malformed line is named by its line number', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wayfinder-cli-'));
  try {
    const file = path.join(dir, 'bad.csv');
    await writeFile(file, '2\n1,2\n1,0\n3\n4,5\n1,1,0\n');
    await rejectsWithUsageError(command('eval').run({ model: 'irt', train: file, test: testFile }, []), /line 5/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
