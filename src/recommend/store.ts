import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import mongoose from 'mongoose';
import type { ModelState } from './models/types.js';

/** What is recorded with every saved model besides its weights. */
export interface ModelMetadata {
  model: string;
  /** Where the training data came from (a file or a course id). */
  data: string;
  metrics: Record<string, number>;
  backend: string;
  created: Date;
  /** The version this one was adapted from (online adaptation to a course, adapt.ts); absent when trained from scratch. */
  adaptedFrom?: string;
}

type Manifest = Omit<ModelState, 'weights'> & { metadata: ModelMetadata };

const MANIFEST = 'model.json';
const WEIGHTS = 'weights.bin';

/** `--out DIR`: model.json (metadata, config, item space, tensor shapes) and weights.bin (float32 little-endian). */
export async function saveModelDir(dir: string, state: ModelState, metadata: ModelMetadata): Promise<void> {
  await mkdir(dir, { recursive: true });
  const manifest: Manifest = { model: state.model, json: state.json, tensors: state.tensors, metadata };
  await writeFile(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
  await writeFile(path.join(dir, WEIGHTS), weightBytes(state.weights));
}

export async function loadModelDir(dir: string): Promise<{ state: ModelState; metadata: ModelMetadata }> {
  const manifest = JSON.parse(await readFile(path.join(dir, MANIFEST), 'utf8')) as Manifest;
  const weights = floatsFrom(await readFile(path.join(dir, WEIGHTS)));
  const { metadata, ...rest } = manifest;
  return { state: { ...rest, weights }, metadata: { ...metadata, created: new Date(metadata.created) } };
}

function weightBytes(weights: Float32Array): Buffer {
  return Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength);
}

/** Copies into an aligned buffer: a Buffer slice may start at an offset Float32Array cannot view. */
function floatsFrom(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

// ---- Model versions in MongoDB (on the application's default mongoose connection) ----

export type VersionStatus = 'candidate' | 'active' | 'retired';

/**
 * Whose data a model learned from: a tenant, and a course within it or '' for tenant-wide.
 * One version per scope is active; a course without its own active model is served by its tenant's.
 */
export interface ModelScope {
  tenantId: string;
  courseId?: string;
}

/** One epoch of training, for the learning-curve plot. */
export interface EpochPoint {
  epoch: number;
  loss: number;
  validAuc: number;
}

/** Champion/challenger outcome, recorded on the challenger. */
export interface PromotionDecision {
  at: Date;
  promoted: boolean;
  challengerAuc: number;
  championVersion?: string;
  championAuc?: number;
  reason: string;
}

/** What the admin API lists: everything but the weights. */
export interface VersionSummary extends ModelMetadata {
  version: string;
  tenantId: string;
  courseId: string;
  status: VersionStatus;
  activatedAt?: Date;
  curve: EpochPoint[];
  decision?: PromotionDecision;
}

/** Weights are split into documents below MongoDB's 16 MB limit. */
const CHUNK_BYTES = 4 * 1024 * 1024;

const versionSchema = new mongoose.Schema(
  {
    tenantId: { type: String, required: true },
    courseId: { type: String, default: '' },
    model: { type: String, required: true },
    data: { type: String, required: true },
    metrics: { type: mongoose.Schema.Types.Mixed, default: {} },
    curve: { type: mongoose.Schema.Types.Mixed, default: [] },
    decision: mongoose.Schema.Types.Mixed,
    backend: { type: String, required: true },
    created: { type: Date, required: true },
    adaptedFrom: String,
    status: { type: String, enum: ['candidate', 'active', 'retired'], default: 'candidate' },
    /** When it was last active: rollback returns to the most recently retired one. */
    activatedAt: Date,
    manifest: { type: mongoose.Schema.Types.Mixed, required: true },
    chunkCount: { type: Number, required: true },
  },
  { collection: 'model_versions' },
);
// The serving lookup (active version of a scope) and the admin listing.
versionSchema.index({ tenantId: 1, courseId: 1, status: 1 });
versionSchema.index({ tenantId: 1, created: -1 });

const chunkSchema = new mongoose.Schema(
  {
    version: { type: mongoose.Schema.Types.ObjectId, required: true, index: true },
    n: { type: Number, required: true },
    bytes: { type: Buffer, required: true },
  },
  { collection: 'model_weight_chunks' },
);

export const ModelVersion = mongoose.models.ModelVersion ?? mongoose.model('ModelVersion', versionSchema);
export const ModelWeightChunk = mongoose.models.ModelWeightChunk ?? mongoose.model('ModelWeightChunk', chunkSchema);

const scopeFilter = (scope: ModelScope) => ({ tenantId: scope.tenantId, courseId: scope.courseId ?? '' });

/** A version id as given by a caller: anything but a valid ObjectId is simply "not found". */
const validId = (id: string) => mongoose.isValidObjectId(id) && /^[0-9a-f]{24}$/i.test(id);

export class VersionNotFound extends Error {
  constructor(id: string) {
    super(`model version ${id} not found`);
  }
}

/** Stores a trained model as a new candidate version of a scope; returns its id. */
export async function saveVersion(state: ModelState, metadata: ModelMetadata, scope: ModelScope, curve: EpochPoint[] = []): Promise<string> {
  const bytes = weightBytes(state.weights);
  const chunkCount = Math.ceil(bytes.byteLength / CHUNK_BYTES);
  const version = await ModelVersion.create({
    ...metadata,
    ...scopeFilter(scope),
    curve,
    status: 'candidate',
    manifest: { model: state.model, json: state.json, tensors: state.tensors },
    chunkCount,
  });
  for (let n = 0; n < chunkCount; n++) {
    await ModelWeightChunk.create({ version: version._id, n, bytes: bytes.subarray(n * CHUNK_BYTES, (n + 1) * CHUNK_BYTES) });
  }
  return String(version._id);
}

export async function loadVersion(id: string): Promise<{ state: ModelState; status: VersionStatus }> {
  const version = validId(id)
    ? await ModelVersion.findById(id).lean<{ manifest: Omit<ModelState, 'weights'>; status: VersionStatus; chunkCount: number }>()
    : null;
  if (!version) throw new VersionNotFound(id);
  const chunks = await ModelWeightChunk.find({ version: id }).sort({ n: 1 });
  if (chunks.length !== version.chunkCount) throw new Error(`model version ${id} has ${chunks.length} of ${version.chunkCount} weight chunks`);
  const bytes = Buffer.concat(chunks.map((c) => c.get('bytes') as Buffer));
  return { state: { ...version.manifest, weights: floatsFrom(bytes) }, status: version.status };
}

type VersionDoc = Omit<VersionSummary, 'version'> & { _id: unknown };

function summary(d: VersionDoc): VersionSummary {
  return {
    version: String(d._id),
    tenantId: d.tenantId,
    courseId: d.courseId ?? '',
    model: d.model,
    data: d.data,
    metrics: d.metrics ?? {},
    backend: d.backend,
    created: d.created,
    ...(d.adaptedFrom ? { adaptedFrom: d.adaptedFrom } : {}),
    status: d.status,
    activatedAt: d.activatedAt,
    curve: d.curve ?? [],
    decision: d.decision,
  };
}

const SUMMARY_FIELDS = '-manifest -chunkCount';

export async function getVersion(id: string): Promise<VersionSummary> {
  const d = validId(id) ? await ModelVersion.findById(id).select(SUMMARY_FIELDS).lean<VersionDoc>() : null;
  if (!d) throw new VersionNotFound(id);
  return summary(d);
}

/** A tenant's versions (one course's, or tenant-wide ones with courseId ''), newest first. */
export async function listVersions(filter: { tenantId?: string; courseId?: string } = {}, limit = 200): Promise<VersionSummary[]> {
  const query = { ...(filter.tenantId ? { tenantId: filter.tenantId } : {}), ...(filter.courseId !== undefined ? { courseId: filter.courseId } : {}) };
  const docs = await ModelVersion.find(query).select(SUMMARY_FIELDS).sort({ created: -1 }).limit(limit).lean<VersionDoc[]>();
  return docs.map(summary);
}

/**
 * Which version is active in each scope, one document per scope by `_id`, so serving (which
 * rechecks every few seconds) reads by `_id` instead of filtering the versions, whose manifests
 * FerretDB would decode one by one. Promote and rollback write it; migration 7 wrote it for the
 * versions active before it existed, so no pointer means no active version.
 */
const activePointers = () => mongoose.connection.collection<{ _id: string; versionId: string; at: Date }>('wf_active_models');
const pointerId = (scope: ModelScope) => `${scope.tenantId}/${scope.courseId || '*'}`;

async function pointActive(scope: ModelScope, versionId: string): Promise<void> {
  await activePointers().replaceOne({ _id: pointerId(scope) }, { versionId, at: new Date() }, { upsert: true });
}

/** Migration 7: a pointer for every version active now; returns how many were written. */
export async function pointActiveVersions(): Promise<number> {
  let n = 0;
  for await (const v of ModelVersion.find({ status: 'active' }).select('_id tenantId courseId').lean<{ _id: unknown; tenantId: string; courseId: string }[]>().cursor()) {
    await pointActive(v, String(v._id));
    n++;
  }
  return n;
}

/** The id of a scope's active version, if any. */
export async function activeVersionId(scope: ModelScope): Promise<string | undefined> {
  return (await activePointers().findOne({ _id: pointerId(scope) }))?.versionId;
}

/** The version that serves a course: its own active one, else its tenant's (the server polls this to hot-swap). */
export async function servingVersionId(tenantId: string, courseId: string): Promise<string | undefined> {
  return (courseId ? await activeVersionId({ tenantId, courseId }) : undefined) ?? activeVersionId({ tenantId });
}

/** Makes `id` the active version of its scope and retires the one it replaces. */
export async function promoteVersion(id: string): Promise<VersionSummary> {
  const target = validId(id) ? await ModelVersion.findById(id) : null;
  if (!target) throw new VersionNotFound(id);
  const scope = { tenantId: target.get('tenantId') as string, courseId: target.get('courseId') as string };
  await ModelVersion.updateMany({ ...scope, status: 'active', _id: { $ne: target._id } }, { status: 'retired' });
  target.set({ status: 'active', activatedAt: new Date() });
  await target.save();
  await pointActive(scope, String(target._id));
  return getVersion(id);
}

export class NothingToRollBack extends Error {}

/**
 * Retires a scope's active version and re-activates the most recently active retired one; returns
 * its id. The rolled-back version loses its activation time, so a second rollback goes further back.
 * A course with no earlier version of its own goes back to being served by its tenant's active
 * version (whose id is returned). With `from`, refuses unless that version is the active one (so a
 * stale admin page cannot roll back twice).
 */
export async function rollbackVersion(scope: ModelScope, from?: string): Promise<string> {
  const filter = scopeFilter(scope);
  const current = await ModelVersion.findOne({ ...filter, status: 'active' });
  if (from !== undefined && String(current?._id) !== from) throw new NothingToRollBack(`model version ${from} is not the active version of its scope`);
  const previous = await ModelVersion.findOne({ ...filter, status: 'retired', activatedAt: { $exists: true } }).sort({ activatedAt: -1 });
  const tenantWide = !previous && current && filter.courseId ? await activeVersionId({ tenantId: filter.tenantId }) : undefined;
  if (!previous && !tenantWide) throw new NothingToRollBack('there is no earlier active version to roll back to');
  if (current) await ModelVersion.updateOne({ _id: current._id }, { status: 'retired', $unset: { activatedAt: 1 } });
  if (!previous) {
    await activePointers().deleteOne({ _id: pointerId(scope) }); // the course is its tenant's again
    return tenantWide!;
  }
  await ModelVersion.updateOne({ _id: previous._id }, { status: 'active', activatedAt: new Date() });
  await pointActive(scope, String(previous._id));
  return String(previous._id);
}

/** Records the champion/challenger outcome on the challenger. */
export async function recordDecision(id: string, decision: PromotionDecision): Promise<void> {
  await ModelVersion.updateOne({ _id: id }, { decision });
}
