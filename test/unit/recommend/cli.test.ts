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

test('train --adapt-from fine-tunes a saved model on another file (new ids included); a model of another kind is refused', async () => {
  const { loadModelDir } = await import('../../../src/recommend/store.js');
  const { useBackend } = await import('../../../src/recommend/backend.js');
  const { plantedDataset } = await import('./fixtures.js');
  assert.ok(await useBackend('wasm'));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wayfinder-cli-adapt-'));
  // Three-line format; the course's questions are numbered from 101 (ids the saved model never saw).
  const write = async (name: string, data: ReturnType<typeof plantedDataset>, offset: number) => {
    const lines = data.learners.flatMap((l) => [String(l.interactions.length), l.interactions.map((x) => Number(x.itemId.slice(1)) + offset).join(','), l.interactions.map((x) => (x.correct ? 1 : 0)).join(',')]);
    await writeFile(path.join(dir, name), `${lines.join('\n')}\n`);
    return path.join(dir, name);
  };
  try {
    const tenant = await write('tenant.csv', plantedDataset(30, 51, 20), 1);
    const course = await write('course.csv', plantedDataset(20, 52, 20, { seed: 77, prefix: 'c', spread: 2 }), 101);
    await command('train').run({ model: 'matching', train: tenant, epochs: '1', out: path.join(dir, 'tenant'), json: true }, []);
    await command('train').run({ train: course, 'adapt-from': path.join(dir, 'tenant'), epochs: '2', out: path.join(dir, 'course'), json: true }, []);
    const { state, metadata } = await loadModelDir(path.join(dir, 'course'));
    assert.equal(metadata.adaptedFrom, path.join(dir, 'tenant'));
    assert.ok((state.json.itemSpace as { itemIds: string[] }).itemIds.includes('105'), 'the course questions got id weights');
    await rejectsWithUsageError(command('train').run({ model: 'irt', train: course, 'adapt-from': path.join(dir, 'tenant') }, []), /holds a matching model; adapt it with --model matching/);
    await rejectsWithUsageError(command('train').run({ train: course, 'adapt-from': path.join(dir, 'nothing') }, []), /no saved model there/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
