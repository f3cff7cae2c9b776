import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VERBS } from '../../src/activity/index.js';
import { LOCALES, messages } from '../../src/web/i18n.js';

/** Every file under `dir` whose name ends with `ext`. */
function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

/**
 * Literal keys passed to `t(…)` in templates and sources. A literal followed by `+` or `~` is the
 * prefix of a key built at run time (e.g. `t('status.' + p.status)`), checked separately below.
 */
function usedKeys(): Map<string, string> {
  const found = new Map<string, string>();
  const call = /\bt\(\s*(['"])([^'"\n]+)\1\s*([+~])?/g;
  for (const file of [...filesUnder('views', '.njk'), ...filesUnder('src', '.ts')]) {
    for (const m of readFileSync(file, 'utf8').matchAll(call)) {
      if (!m[3]) found.set(m[2], file);
    }
  }
  return found;
}

test('every key is in both languages, with text', () => {
  const [en, zh] = LOCALES.map((l) => messages[l]);
  const onlyIn = (a: Record<string, string>, b: Record<string, string>) => Object.keys(a).filter((k) => !(k in b));
  assert.deepEqual(onlyIn(en, zh), [], 'keys missing from zh-Hans.json');
  assert.deepEqual(onlyIn(zh, en), [], 'keys missing from en.json');
  for (const l of LOCALES) {
    const empty = Object.entries(messages[l]).filter(([, v]) => typeof v !== 'string' || !v.trim()).map(([k]) => k);
    assert.deepEqual(empty, [], `empty strings in ${l}`);
  }
});

test('placeholders match between the languages', () => {
  const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  const differ = Object.keys(messages.en).filter((k) => k in messages['zh-Hans'] && names(messages.en[k]).join() !== names(messages['zh-Hans'][k]).join());
  assert.deepEqual(differ, [], 'keys whose {placeholders} differ between en and zh-Hans');
});

test('every t(…) key used in views and sources exists', () => {
  const used = usedKeys();
  assert.ok(used.size > 50, `found only ${used.size} keys: the scan is broken`);
  const missing = [...used].filter(([k]) => !(k in messages.en) && !(k in messages['zh-Hans'])).map(([k, file]) => `${k} (${file})`);
  assert.deepEqual(missing, [], 'keys used but in neither locale file');
});

test('keys built at run time exist for every value they can take', () => {
  const families: Record<string, readonly string[]> = {
    'dashboard.verb.': VERBS,
    'dashboard.outcome.': ['correct', 'incorrect'],
    'dashboard.rec.': ['correct', 'incorrect', 'unanswered', 'notFollowed'],
    'dashboard.grades.state.': ['sent', 'pending', 'failed', 'skipped'],
    'dashboard.roster.roleKind.': ['student', 'teacher', 'admin', 'other'],
    'dashboard.roster.statusKind.': ['Active', 'Inactive', 'Deleted'],
    'admin.sourceKind.': ['manual', 'dynamic', 'dev'],
    'status.': ['active', 'pending', 'disabled', 'approved'],
    'admin.notice.': ['added', 'approved', 'disabled', 'removed', 'promoted', 'rolledBack'],
    'admin.job.status.': ['queued', 'loading', 'training', 'done', 'failed'],
    'admin.models.statusKind.': ['candidate', 'active', 'retired'],
    'admin.models.promoteKind.': ['if-not-worse', 'never', 'always'],
  };
  const missing = Object.entries(families).flatMap(([prefix, values]) => values.map((v) => prefix + v)).filter((k) => !(k in messages.en));
  assert.deepEqual(missing, []);
});
