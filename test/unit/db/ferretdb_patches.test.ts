import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { applyFerretDbPatches, FERRETDB_PATCHES } from '../../../src/db/ferretdb_patches.js';

const tree = (files: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'wayfinder-patch-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
};

test('the _id-index patch replaces exactly its line', () => {
  const [p] = FERRETDB_PATCHES;
  const dir = tree({ [p.file]: `const (\n\t${p.from}\n)\n` });
  applyFerretDbPatches(dir);
  assert.equal(readFileSync(join(dir, p.file), 'utf8'), 'const (\n\tIDColumn = DefaultColumn + `->"_id"`\n)\n');
});

test('a patch whose text is gone (another FerretDB version) fails naming the patch and the file', () => {
  const [p] = FERRETDB_PATCHES;
  const dir = tree({ [p.file]: 'const IDColumn = "something else"\n' });
  assert.throws(() => applyFerretDbPatches(dir), /the patch "filter by _id through the _id index" does not apply to internal\/backends\/sqlite\/metadata\/metadata\.go/);
});
