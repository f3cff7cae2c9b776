import { randomBytes } from 'node:crypto';
import type { ContentFile, Pathway, Skill } from './format.js';
import { Entry, Pointer, scopeKey, Version, type ContentEntry, type ContentPointer, type EntryKind, type Scope } from './model.js';
import { renderItems, type ItemHtml, type StoredItem } from './rendering.js';

/**
 * Reading and writing content versions. Versions never change once written, so a loaded version
 * is cached by id; each read costs one pointer lookup, which keeps every process current.
 */
export interface Library {
  skills: Map<string, Skill>;
  items: Map<string, StoredItem>;
  pathways: Map<string, Pathway>;
}

const cache = new Map<string, Library>();
const CACHE_LIMIT = 50;

async function loadVersion(versionId: string, scope: Required<Scope>): Promise<Library> {
  const hit = cache.get(versionId);
  if (hit) return hit;
  const entries = await Entry.find({ tenantId: scope.tenantId, courseId: scope.courseId, versionId }).lean<ContentEntry[]>();
  const lib: Library = { skills: new Map(), items: new Map(), pathways: new Map() };
  for (const e of entries) (lib[`${e.kind}s`] as Map<string, unknown>).set(e.id, e.html ? { ...e.doc, html: e.html } : e.doc);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(versionId, lib);
  return lib;
}

/**
 * A scope's pointer by `_id` alone (a second field in the filter makes FerretDB scan the
 * collection); the key already names the tenant, which is checked again here.
 */
async function pointerOf(key: string, tenantId: string): Promise<ContentPointer | null> {
  const p = await Pointer.findById(key).lean<ContentPointer>();
  return p && p.tenantId === tenantId ? p : null;
}

/**
 * What a course sees: the tenant's shared library with the course's own content over it (a course
 * record with the same id wins). Without a course, the shared library alone.
 */
export async function libraryFor(scope: Scope): Promise<Library> {
  const keys = [scopeKey({ tenantId: scope.tenantId }), ...(scope.courseId ? [scopeKey(scope)] : [])];
  // One `_id` read per layer: FerretDB v1 scans the collection for `$in`, even on `_id`.
  const pointers = await Promise.all(keys.map((k) => pointerOf(k, scope.tenantId)));
  const ordered = pointers.filter((p) => p !== null);
  const layers = await Promise.all(ordered.map((p) => loadVersion(p.versionId, { tenantId: p.tenantId, courseId: p.courseId })));
  if (layers.length === 1) return layers[0];
  const merged: Library = { skills: new Map(), items: new Map(), pathways: new Map() };
  for (const l of layers) {
    for (const k of ['skills', 'items', 'pathways'] as const) for (const [id, v] of l[k]) (merged[k] as Map<string, unknown>).set(id, v);
  }
  return merged;
}

/** The content of exactly one scope (for export and for replacing it), not merged. */
export async function scopeContent(scope: Scope): Promise<ContentFile> {
  const s = { tenantId: scope.tenantId, courseId: scope.courseId ?? '' };
  const pointer = await pointerOf(scopeKey(s), s.tenantId);
  const lib = pointer ? await loadVersion(pointer.versionId, s) : { skills: new Map(), items: new Map(), pathways: new Map() };
  // The rendered HTML is storage, not the file format: exports and rewrites leave it out.
  const items = [...lib.items.values()].map(({ html: _html, ...item }) => item);
  return { format: 'wayfinder-content/1', skills: [...lib.skills.values()], items, pathways: [...lib.pathways.values()] };
}

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/**
 * Writes a checked file as the scope's new version and switches the scope's pointer to it. With a
 * `versionId` fixed by the caller (course copy), repeating the write completes it: records already
 * written are skipped, so two processes copying at once write the same version once. Items are
 * stored with their rendered HTML: the import passes what it rendered (and checked), other
 * writers have it rendered here.
 */
export async function writeVersion(scope: Scope, content: ContentFile, source: string, fixedVersionId?: string, rendered?: Map<string, ItemHtml>): Promise<string> {
  const html = rendered ?? (await renderItems(content.items)).html;
  const s = { tenantId: scope.tenantId, courseId: scope.courseId ?? '' };
  const versionId = fixedVersionId ?? `v_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const entries = (kind: EntryKind, records: { id: string }[]) =>
    records.map((r) => ({ _id: `${versionId}/${kind}/${r.id}`, ...s, versionId, kind, id: r.id, doc: r, ...(kind === 'item' ? { html: html.get(r.id) } : {}) }));
  const all = [...entries('skill', content.skills), ...entries('item', content.items), ...entries('pathway', content.pathways)];
  const ignoreRepeat = (err: unknown) => {
    if (!fixedVersionId || !isDuplicateKey(err)) throw err;
  };
  for (let i = 0; i < all.length; i += 500) {
    await Entry.insertMany(all.slice(i, i + 500), { ordered: !fixedVersionId }).catch(ignoreRepeat);
  }
  await Version.create({
    _id: versionId,
    ...s,
    source,
    counts: { skills: content.skills.length, items: content.items.length, pathways: content.pathways.length },
    createdAt: new Date(),
  }).catch(ignoreRepeat);
  const key = scopeKey(s);
  const old = await pointerOf(key, s.tenantId);
  const previousVersionId = old?.versionId === versionId ? old.previousVersionId : old?.versionId;
  await Pointer.updateOne(
    { _id: key },
    { $set: { ...s, versionId, previousVersionId, updatedAt: new Date() } },
    { upsert: true },
  );
  // Everything but the current and previous version is unreachable now (including leftovers
  // of imports that failed half-way).
  const keep = [versionId, ...(previousVersionId ? [previousVersionId] : [])];
  await Entry.deleteMany({ ...s, versionId: { $nin: keep } });
  await Version.deleteMany({ ...s, _id: { $nin: keep } });
  return versionId;
}
