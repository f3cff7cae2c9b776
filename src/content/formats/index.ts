import type { Problem } from '../check.js';
import { itemSchema, type Item } from '../format.js';
import { importRecords } from '../import.js';
import type { Scope } from '../model.js';
import { libraryFor } from '../store.js';
import { BANK_LIMITS, type Bank, type BankFormat } from './bank.js';
import { readGift } from './gift.js';
import { planImport, type Planned, type Skipped } from './mapping.js';
import { readMoodleXml } from './moodle_xml.js';
import { isZip, readQti } from './qti.js';
import { decodeText, refused } from './text.js';

/**
 * Question banks from other systems (Moodle XML, GIFT, QTI 1.2) into a course, through the same
 * all-or-nothing import as Wayfinder's own files: read, mapped question by question, checked,
 * then written as a new content version — or, as a dry run, only previewed. Shared by the teacher's
 * page, the JSON API and `wayfinder content import`.
 */
export { BANK_FORMATS, type BankFormat } from './bank.js';

/** The format a file is in, from its content (not its name). */
export function detectFormat(bytes: Uint8Array): BankFormat {
  if (isZip(bytes)) return 'qti';
  const head = decodeText(bytes.subarray(0, 4096).length === bytes.length ? bytes : safeHead(bytes)).replace(/^\uFEFF/, '').trimStart();
  if (!head.startsWith('<')) return 'gift';
  if (/<quiz[\s>]/.test(head)) return 'moodle-xml';
  if (/<questestinterop[\s>]/.test(head)) return 'qti';
  throw refused('file', 'an XML file that is neither Moodle XML (<quiz>) nor QTI 1.2 (<questestinterop>)');
}

/** The first few KB, cut at a character boundary (a cut UTF-8 sequence must not look like a bad file). */
function safeHead(bytes: Uint8Array): Uint8Array {
  let end = 4096;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

export function readBank(bytes: Uint8Array, format: BankFormat = detectFormat(bytes)): Bank {
  if (bytes.length > BANK_LIMITS.bytes) throw refused('file', `the file is ${(bytes.length / 1e6).toFixed(1)} MB; at most ${BANK_LIMITS.bytes / 1024 / 1024} MB are accepted`);
  const bank =
    format === 'qti' ? readQti(bytes) : format === 'moodle-xml' ? readMoodleXml(decodeText(bytes)) : readGift(decodeText(bytes).replace(/^\uFEFF/, ''));
  if (bank.questions.length > BANK_LIMITS.questions) throw refused('file', `the file has ${bank.questions.length} questions; at most ${BANK_LIMITS.questions} are accepted in one import`);
  return bank;
}

export interface BankImportOptions {
  format?: BankFormat;
  dryRun?: boolean;
  skillNames?: Record<string, string>;
  fileName?: string;
}

export interface BankImport {
  format: BankFormat;
  dryRun: boolean;
  versionId?: string;
  /** The questions that become items: new, changed (same id, new content) or unchanged (learners' history stays). */
  created: (Planned & { status: 'new' | 'changed' | 'unchanged' })[];
  skipped: Skipped[];
  skills: { id: string; name: string; sources: string[]; items: number; existing: boolean }[];
  pathways: { id: string; title: string; items: number }[];
  counts: { created: number; skipped: number; skills: number; pathways: number };
}

export async function importBank(bytes: Uint8Array, scope: Scope, source: string, o: BankImportOptions = {}): Promise<BankImport> {
  const bank = readBank(bytes, o.format);
  const existingSkills = [...(await libraryFor(scope)).skills.values()];
  const plan = planImport(bank, { skillNames: o.skillNames, existingSkills, fallbackTitle: o.fileName?.replace(/\.[^.]*$/, '') });
  if (!plan.items.length) {
    throw refused('file', plan.skipped.length ? `none of the ${plan.skipped.length} questions can be imported: ${plan.skipped[0].place}: ${plan.skipped[0].reason.message}` : 'the file has no questions');
  }
  const placeOf = (p: Problem): Problem => {
    const m = /^items\[\d+\] \(id "([^"]+)"\)(.*)$/.exec(p.place);
    const at = m && plan.places.get(m[1]);
    return at ? { ...p, place: `${at}${m[2] ? ` (${m[2].replace(/^\./, '')})` : ''}` } : p;
  };
  const r = await importRecords({ skills: plan.skills, items: plan.items, pathways: plan.pathways }, scope, source, { dryRun: o.dryRun, placeOf });
  const before = new Map(r.previous.items.map((i) => [i.id, i]));
  const after = new Map(r.content.items.map((i) => [i.id, i]));
  const status = (id: string) => {
    const old = before.get(id);
    return !old ? 'new' : same(old, after.get(id)!) ? 'unchanged' : 'changed';
  };
  const existing = new Set(existingSkills.map((s) => s.id));
  const skillIds = [...new Set(plan.items.flatMap((i) => i.skills))];
  const skillName = new Map([...existingSkills, ...plan.skills].map((s) => [s.id, s.name]));
  return {
    format: bank.format,
    dryRun: !!o.dryRun,
    ...(r.versionId ? { versionId: r.versionId } : {}),
    created: plan.planned.map((p) => ({ ...p, status: status(p.id) })),
    skipped: plan.skipped,
    skills: skillIds.map((id) => ({ id, name: skillName.get(id) ?? id, sources: [...(plan.skillSources.get(id) ?? [])], items: plan.items.filter((i) => i.skills.includes(id)).length, existing: existing.has(id) })),
    pathways: plan.pathways.map((p) => ({ id: p.id, title: p.title, items: p.items.length })),
    counts: { created: plan.items.length, skipped: plan.skipped.length, skills: skillIds.length, pathways: plan.pathways.length },
  };
}

/** Stored documents lose empty objects, so both sides are compared as the format reads them. */
const same = (a: Item, b: Item) => JSON.stringify(sorted(itemSchema.parse(a))) === JSON.stringify(sorted(itemSchema.parse(b)));
const sorted = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sorted(x)])) : v;
