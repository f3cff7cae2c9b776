import { randomBytes } from 'node:crypto';
import type { ContentFile, Pathway, Skill } from './format.js';
import { forgetForRequest, oncePerRequest } from '../db/request_reads.js';
import { log } from '../log.js';
import { bundleChunkId, bundleChunks, Entry, Pointer, scopeKey, Version, type ContentEntry, type ContentPointer, type ContentVersion, type EntryKind, type Scope } from './model.js';
import { renderItems, type ItemHtml, type StoredItem } from './rendering.js';

/**
 * Reading and writing content versions. Versions never change once written, so a loaded version
 * is cached by id; each read costs one pointer lookup, which keeps every process current. A
 * version is read by `_id` only: its document, then its bundle chunks.
 */
export interface Library {
  skills: Map<string, Skill>;
  items: Map<string, StoredItem>;
  pathways: Map<string, Pathway>;
}

/** Loaded versions, least recently used first (a Map keeps insertion order; a hit moves to the end). */
const cache = new Map<string, Library>();
const CACHE_LIMIT = 200;
/** Characters of records per bundle chunk: well under a document's 16 MB. */
const CHUNK_CHARS = 4_000_000;

type BundleRecord = Pick<ContentEntry, 'kind' | 'id' | 'doc' | 'html'>;

async function loadVersion(versionId: string, scope: Required<Scope>): Promise<Library> {
  const hit = cache.get(versionId);
  if (hit) {
    cache.delete(versionId);
    cache.set(versionId, hit);
    return hit;
  }
  const records = await versionRecords(versionId, scope);
  const lib: Library = { skills: new Map(), items: new Map(), pathways: new Map() };
  for (const e of records) (lib[`${e.kind}s`] as Map<string, unknown>).set(e.id, e.html ? { ...e.doc, html: e.html } : e.doc);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(versionId, lib);
  return lib;
}

/**
 * A version's records: its bundle chunks by `_id`. A version written before bundles has entries
 * instead, found by a filter (a scan on FerretDB): it gets its bundle then, so that happens once.
 */
async function versionRecords(versionId: string, scope: Required<Scope>): Promise<BundleRecord[]> {
  const version = await Version.findById(versionId).lean<ContentVersion>();
  if (version?.bundleChunks !== undefined && version.tenantId === scope.tenantId) {
    const chunks = await Promise.all(Array.from({ length: version.bundleChunks }, (_, n) => bundleChunks().findOne({ _id: bundleChunkId(versionId, n) })));
    if (chunks.every((c) => c !== null && c.tenantId === scope.tenantId)) return chunks.flatMap((c) => JSON.parse(c!.records) as BundleRecord[]);
    log.warn({ versionId }, 'content: a bundle chunk is missing; reading the version from its entries');
  }
  const entries = await Entry.find({ tenantId: scope.tenantId, courseId: scope.courseId, versionId }).lean<ContentEntry[]>();
  const records = entries.map(({ kind, id, doc, html }) => ({ kind, id, doc, ...(html ? { html } : {}) }));
  if (version && entries.length) await writeBundle(versionId, scope, records);
  return records;
}

/** Writes a version's records as bundle chunks, then records their number on the version. */
async function writeBundle(versionId: string, scope: Required<Scope>, records: BundleRecord[]): Promise<void> {
  const chunks: string[] = [];
  let part: BundleRecord[] = [];
  let size = 0;
  for (const r of records) {
    const n = JSON.stringify(r).length;
    if (part.length && size + n > CHUNK_CHARS) {
      chunks.push(JSON.stringify(part));
      part = [];
      size = 0;
    }
    part.push(r);
    size += n;
  }
  chunks.push(JSON.stringify(part));
  // Replaced by `_id` (a repeated write of a fixed version writes the same chunks again).
  for (const [n, records] of chunks.entries()) await bundleChunks().replaceOne({ _id: bundleChunkId(versionId, n) }, { tenantId: scope.tenantId, records }, { upsert: true });
  await Version.updateOne({ _id: versionId }, { $set: { bundleChunks: chunks.length } });
}

/**
 * A scope's pointer by `_id` alone (a second field in the filter makes FerretDB scan the
 * collection), read once per request (a page asks for its library several times); the key
 * already names the tenant, which is checked again here.
 */
const pointerKey = (key: string) => `content-pointer/${key}`;

async function pointerOf(key: string, tenantId: string): Promise<ContentPointer | null> {
  const p = await oncePerRequest(pointerKey(key), () => Pointer.findById(key).lean<ContentPointer>());
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
  const records = (kind: EntryKind, list: { id: string }[]): BundleRecord[] =>
    list.map((r) => ({ kind, id: r.id, doc: r, ...(kind === 'item' && html.get(r.id) ? { html: html.get(r.id) } : {}) }));
  const ignoreRepeat = (err: unknown) => {
    if (!fixedVersionId || !isDuplicateKey(err)) throw err;
  };
  // The version document first, so every bundle chunk belongs to a version that the clean-up below finds.
  await Version.create({
    _id: versionId,
    ...s,
    source,
    counts: { skills: content.skills.length, items: content.items.length, pathways: content.pathways.length },
    createdAt: new Date(),
  }).catch(ignoreRepeat);
  await writeBundle(versionId, s, [...records('skill', content.skills), ...records('item', content.items), ...records('pathway', content.pathways)]);
  const key = scopeKey(s);
  forgetForRequest(pointerKey(key));
  const old = await pointerOf(key, s.tenantId);
  const previousVersionId = old?.versionId === versionId ? old.previousVersionId : old?.versionId;
  await Pointer.updateOne(
    { _id: key },
    { $set: { ...s, versionId, previousVersionId, updatedAt: new Date() } },
    { upsert: true },
  );
  forgetForRequest(pointerKey(key));
  // Everything but the current and previous version is unreachable now (including leftovers
  // of imports that failed half-way).
  const keep = [versionId, ...(previousVersionId ? [previousVersionId] : [])];
  for (const old of await Version.find({ ...s, _id: { $nin: keep } }, { bundleChunks: 1 }).lean<Pick<ContentVersion, '_id' | 'bundleChunks'>[]>()) {
    for (let n = 0; n < (old.bundleChunks ?? 0); n++) await bundleChunks().deleteOne({ _id: bundleChunkId(old._id, n) });
  }
  await Entry.deleteMany({ ...s, versionId: { $nin: keep } });
  await Version.deleteMany({ ...s, _id: { $nin: keep } });
  return versionId;
}
