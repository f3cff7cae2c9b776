import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { checkContent, type Problem } from './check.js';
import { itemsFromCsv } from './csv.js';
import type { ContentFile } from './format.js';
import type { Scope } from './model.js';
import { renderItems } from './rendering.js';
import { libraryFor, scopeContent, writeVersion } from './store.js';

/**
 * Imports are all-or-nothing: the whole file is checked first and nothing is written unless it is
 * free of problems. A JSON file replaces the scope's content; a CSV file of items adds to it (and
 * replaces items with the same id), since a CSV cannot carry skills or pathways.
 */
export class ImportRefused extends Error {
  constructor(readonly problems: Problem[]) {
    super(`the import was refused (${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing was stored:\n` + problems.map((p) => `  ${p.place}: ${p.message}`).join('\n'));
  }
}

export interface ImportResult {
  versionId: string;
  counts: { skills: number; items: number; pathways: number };
}

export type ContentFormat = 'json' | 'csv';

export function formatOf(fileName: string): ContentFormat {
  return extname(fileName).toLowerCase() === '.csv' ? 'csv' : 'json';
}

export async function importContent(text: string, format: ContentFormat, scope: Scope, source: string): Promise<ImportResult> {
  // Course content may build on the tenant's shared library, so its skills and items count as known.
  const shared = scope.courseId ? await libraryFor({ tenantId: scope.tenantId }) : undefined;
  const ctx = { knownSkills: shared?.skills.keys(), knownItems: shared?.items.keys() };
  const check = checkContent(format === 'csv' ? await withCsvItems(text, scope) : parseJson(text), ctx);
  if (!check.ok) throw new ImportRefused(format === 'csv' ? check.problems.map(csvPlace) : check.problems);
  const rendered = await renderItems(check.content.items); // once, here: pages only read the HTML
  if (rendered.problems.length) throw new ImportRefused(format === 'csv' ? rendered.problems.map(csvPlace) : rendered.problems);
  const versionId = await writeVersion(scope, check.content, source, undefined, rendered.html);
  const c = check.content;
  return { versionId, counts: { skills: c.skills.length, items: c.items.length, pathways: c.pathways.length } };
}

export async function importFile(path: string, scope: Scope): Promise<ImportResult> {
  return importContent(await readFile(path, 'utf8'), formatOf(path), scope, path);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ImportRefused([{ kind: 'format', place: 'file', message: `not valid JSON: ${(err as Error).message}` }]);
  }
}

async function withCsvItems(text: string, scope: Scope): Promise<ContentFile> {
  const rows = itemsFromCsv(text);
  if (!rows.ok) throw new ImportRefused(rows.problems);
  // The CSV's rows come first, so `items[i]` is row i + 2 (after the header).
  return addRecords(await scopeContent(scope), { items: rows.items as ContentFile['items'] });
}

type Records = Partial<Pick<ContentFile, 'skills' | 'items' | 'pathways'>>;

/** Records added to content: the new ones first, replacing those with the same id; the rest kept. */
function addRecords(current: ContentFile, incoming: Records): ContentFile {
  const merge = <T extends { id: string }>(old: T[], add: T[] = []) => {
    const ids = new Set(add.map((r) => r.id));
    return [...add, ...old.filter((r) => !ids.has(r.id))];
  };
  return { ...current, skills: merge(current.skills, incoming.skills), items: merge(current.items, incoming.items), pathways: merge(current.pathways, incoming.pathways) };
}

/**
 * Records (an imported question bank's) added to a scope's content, all or nothing, through the
 * same checks as a file. With `dryRun`, checked but not written (a preview). `placeOf` lets the
 * caller name a problem's place in its own source.
 */
export async function importRecords(
  incoming: Records,
  scope: Scope,
  source: string,
  o: { dryRun?: boolean; placeOf?: (p: Problem) => Problem } = {},
): Promise<ImportResult & { previous: ContentFile; content: ContentFile }> {
  const shared = scope.courseId ? await libraryFor({ tenantId: scope.tenantId }) : undefined;
  const previous = await scopeContent(scope);
  const check = checkContent(addRecords(previous, incoming), { knownSkills: shared?.skills.keys(), knownItems: shared?.items.keys() });
  const place = (problems: Problem[]) => (o.placeOf ? problems.map(o.placeOf) : problems);
  if (!check.ok) throw new ImportRefused(place(check.problems));
  const c = check.content;
  const rendered = await renderItems(c.items);
  if (rendered.problems.length) throw new ImportRefused(place(rendered.problems));
  const versionId = o.dryRun ? '' : await writeVersion(scope, c, source, undefined, rendered.html);
  return { versionId, counts: { skills: c.skills.length, items: c.items.length, pathways: c.pathways.length }, previous, content: c };
}

function csvPlace(p: Problem): Problem {
  return { ...p, place: p.place.replace(/^items\[(\d+)\]/, (_, i: string) => `row ${Number(i) + 2}`) };
}
