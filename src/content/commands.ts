import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CliError, type CliCommand } from '../cli/command.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/index.js';
import { seedDemoLearning } from '../recommend/demo.js';
import { devLmsTenant, seedDemoContent } from './demo.js';
import { BANK_FORMATS, importBank, type BankFormat, type BankImport } from './formats/index.js';
import { importContent, importFile, ImportRefused, type ContentFormat } from './import.js';
import type { Scope } from './model.js';
import { scopeContent } from './store.js';

/** `wayfinder content import|export` and `wayfinder seed-demo`. */
async function withDatabase<T>(fn: (scope: Scope) => Promise<T>, v: Record<string, unknown>): Promise<T> {
  const config = loadConfig();
  const tenant = typeof v.tenant === 'string' ? v.tenant : config.devLms ? devLmsTenant(config.devLmsPort) : undefined;
  if (!tenant) throw new CliError('--tenant is required (the tenant id from `wayfinder platforms list`)');
  const db = await openDatabase(config);
  try {
    return await fn({ tenantId: tenant, courseId: typeof v.course === 'string' ? v.course : undefined });
  } catch (err) {
    if (err instanceof ImportRefused) throw new CliError(err.message);
    throw err;
  } finally {
    await db.close();
  }
}

const scopeOptions = { tenant: { type: 'string' }, course: { type: 'string' }, json: { type: 'boolean' } } as const;
const scopeHelp = '--tenant defaults to the dev LMS tenant when DEV_LMS is on; without --course the content is shared by every course of the tenant.';

export const contentCommands: CliCommand[] = [
  {
    name: 'content import',
    summary: 'import content: Wayfinder JSON (replaces the scope\'s content), a CSV of items, or a Moodle XML, GIFT or QTI 1.2 question bank (add to it); all or nothing',
    usage: `content import FILE [--format F] [--dry-run] [--tenant T] [--course C] [--json]\n\n${scopeHelp}\nThe JSON format is documented in src/content/content.schema.json; CSV columns in src/content/csv.ts.\nOther files are question banks, their format read from the content: ${BANK_FORMATS.join(', ')} (--format forces one).\n--dry-run shows what a bank import would create and skip, and why, without storing anything.`,
    options: { ...scopeOptions, format: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    async run(v, positionals) {
      const file = positionals[0];
      if (!file) throw new CliError('name the file to import: content import FILE');
      const format = typeof v.format === 'string' ? v.format : undefined;
      const known = ['json', 'csv', ...BANK_FORMATS];
      if (format && !known.includes(format)) throw new CliError(`--format must be one of ${known.join(', ')}`);
      const own = format ? format === 'json' || format === 'csv' : /\.(json|csv)$/i.test(file);
      if (own) {
        const r = await withDatabase((scope) => (format ? readFile(file, 'utf8').then((t) => importContent(t, format as ContentFormat, scope, file)) : importFile(file, scope)), v);
        console.log(v.json ? JSON.stringify(r) : `imported ${r.counts.skills} skills, ${r.counts.items} items, ${r.counts.pathways} pathways as version ${r.versionId}`);
        return;
      }
      const bytes = await readFile(file).catch((err: Error) => {
        throw new CliError(`cannot read ${file}: ${err.message}`);
      });
      const r = await withDatabase((scope) => importBank(bytes, scope, file, { format: format as BankFormat | undefined, dryRun: !!v['dry-run'], fileName: basename(file) }), v);
      console.log(v.json ? JSON.stringify(r) : describeBankImport(r));
    },
  },
  {
    name: 'content export',
    summary: 'export a scope\'s content as JSON (to --out FILE or stdout)',
    usage: `content export [--tenant T] [--course C] [--out FILE]\n\n${scopeHelp}`,
    options: { ...scopeOptions, out: { type: 'string' } },
    async run(v) {
      const content = await withDatabase(scopeContent, v);
      const text = JSON.stringify(content, null, 2) + '\n';
      if (typeof v.out === 'string') {
        await writeFile(v.out, text);
        console.error(`wrote ${content.items.length} items to ${v.out}`);
      } else process.stdout.write(text);
    },
  },
  {
    name: 'seed-demo',
    summary: 'load the bundled demo course (arithmetic, fractions, early algebra; English and Chinese), simulate a class on it and train its model',
    usage: 'seed-demo [--tenant T] [--content-only] [--json]\n\n--tenant defaults to the dev LMS tenant. Simulated learners (subs "simulated-…", in a course of their own) answer and a\nmatching network is trained on their statements and promoted unless a better model is active; --content-only skips that.',
    options: { tenant: scopeOptions.tenant, json: scopeOptions.json, 'content-only': { type: 'boolean' } },
    async run(v) {
      const config = loadConfig();
      const issuer = config.devLms ? `http://127.0.0.1:${config.devLmsPort}` : 'urn:wayfinder:simulated';
      const { r, learning } = await withDatabase(async (scope) => {
        const r = await seedDemoContent(scope.tenantId);
        return { r, learning: v['content-only'] ? undefined : await seedDemoLearning(scope.tenantId, issuer) };
      }, v);
      const human = r === 'unchanged' ? 'the demo course is already loaded' : `loaded the demo course: ${r.counts.skills} skills, ${r.counts.items} items, ${r.counts.pathways} pathways`;
      const model = learning?.version ? `; model ${learning.version} (held-out AUC ${learning.validAuc?.toFixed(3)}) ${learning.promoted ? 'is active' : 'kept as a candidate: the active model is better'}` : learning ? `; training failed: ${learning.error}` : '';
      console.log(v.json ? JSON.stringify({ result: r, learning }) : human + model);
    },
  },
];

/** A bank import for people: the counts, then every skipped question and warning with its place. */
function describeBankImport(r: BankImport): string {
  const by = (s: string) => r.created.filter((c) => c.status === s).length;
  const head = `${r.dryRun ? 'would import' : 'imported'} ${r.counts.created} questions (${by('new')} new, ${by('changed')} changed, ${by('unchanged')} unchanged) from ${r.format} into ${r.counts.skills} skills and ${r.counts.pathways} pathways${r.versionId ? ` as version ${r.versionId}` : ''}`;
  const skipped = r.skipped.map((s) => `  skipped ${s.place}: ${s.reason.message}`);
  const warnings = r.created.flatMap((c) => c.warnings.map((w) => `  warning ${c.place}: ${w}`));
  return [head, ...(skipped.length ? [`skipped ${skipped.length}:`, ...skipped] : []), ...warnings].join('\n');
}
