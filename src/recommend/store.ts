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

/** Weights are split into documents below MongoDB's 16 MB limit. */
const CHUNK_BYTES = 4 * 1024 * 1024;

const versionSchema = new mongoose.Schema(
  {
    model: { type: String, required: true },
    data: { type: String, required: true },
    metrics: { type: mongoose.Schema.Types.Mixed, default: {} },
    backend: { type: String, required: true },
    created: { type: Date, required: true },
    status: { type: String, enum: ['candidate', 'active', 'retired'], default: 'candidate', index: true },
    /** When it was last active: rollback returns to the most recently retired one. */
    activatedAt: Date,
    manifest: { type: mongoose.Schema.Types.Mixed, required: true },
    chunkCount: { type: Number, required: true },
  },
  { collection: 'model_versions' },
);

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

/** Stores a trained model as a new candidate version; returns its id. */
export async function saveVersion(state: ModelState, metadata: ModelMetadata): Promise<string> {
  const bytes = weightBytes(state.weights);
  const chunkCount = Math.ceil(bytes.byteLength / CHUNK_BYTES);
  const version = await ModelVersion.create({
    ...metadata,
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
  const version = await ModelVersion.findById(id).lean<{ manifest: Omit<ModelState, 'weights'>; status: VersionStatus; chunkCount: number }>();
  if (!version) throw new Error(`model version ${id} not found`);
  const chunks = await ModelWeightChunk.find({ version: id }).sort({ n: 1 });
  if (chunks.length !== version.chunkCount) throw new Error(`model version ${id} has ${chunks.length} of ${version.chunkCount} weight chunks`);
  const bytes = Buffer.concat(chunks.map((c) => c.get('bytes') as Buffer));
  return { state: { ...version.manifest, weights: floatsFrom(bytes) }, status: version.status };
}

/** The id of the active version, if any (the server polls this to hot-swap). */
export async function activeVersionId(): Promise<string | undefined> {
  const active = await ModelVersion.findOne({ status: 'active' }).select('_id').lean<{ _id: unknown }>();
  return active ? String(active._id) : undefined;
}

/** Makes `id` the active version and retires the previous one. */
export async function promoteVersion(id: string): Promise<void> {
  const target = await ModelVersion.findById(id);
  if (!target) throw new Error(`model version ${id} not found`);
  await ModelVersion.updateMany({ status: 'active', _id: { $ne: target._id } }, { status: 'retired' });
  target.set({ status: 'active', activatedAt: new Date() });
  await target.save();
}

/**
 * Retires the active version and re-activates the most recently active retired one; returns its id.
 * The rolled-back version loses its activation time, so a second rollback goes further back.
 */
export async function rollbackVersion(): Promise<string> {
  const current = await ModelVersion.findOne({ status: 'active' });
  const previous = await ModelVersion.findOne({ status: 'retired', activatedAt: { $exists: true } }).sort({ activatedAt: -1 });
  if (!previous) throw new Error('no earlier version to roll back to');
  if (current) await ModelVersion.updateOne({ _id: current._id }, { status: 'retired', $unset: { activatedAt: 1 } });
  await ModelVersion.updateOne({ _id: previous._id }, { status: 'active', activatedAt: new Date() });
  return String(previous._id);
}
