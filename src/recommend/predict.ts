import { log } from '../log.js';
import { ensureBackend } from './backend.js';
import { candidateEpisode } from './data/episodes.js';
import type { Interaction, ItemRef } from './data/interactions.js';
import { modelFromState } from './models/index.js';
import type { Recommender } from './models/types.js';
import { loadVersion, servingVersionId } from './store.js';

/** One learner's question to the model: their history and the candidate items. */
export interface PredictRequest {
  history: Interaction[];
  candidates: ItemRef[];
}

/** A model being served, and the store version it came from. */
export interface ServedModel {
  model: Recommender;
  version: string;
}

/** How long a course keeps its served model before asking the store again (hot swap across processes). */
const RECHECK_MS = 10_000;

interface Slot {
  served?: ServedModel;
  checkedAt: number;
  /** A check in flight, so concurrent requests share one store read and one load. */
  pending?: Promise<ServedModel | undefined>;
}

const slots = new Map<string, Slot>();
const loaded = new Map<string, Recommender>();
const slotKey = (tenantId: string, courseId: string) => `${tenantId}\u0000${courseId}`;

async function load(version: string): Promise<Recommender> {
  let model = loaded.get(version);
  if (!model) {
    await ensureBackend((line) => log.info(line));
    model = modelFromState((await loadVersion(version)).state);
    // Old versions stay usable by in-flight calls; keep only a few around.
    if (loaded.size >= 8) loaded.delete(loaded.keys().next().value!);
    loaded.set(version, model);
  }
  return model;
}

async function check(slot: Slot, tenantId: string, courseId: string): Promise<ServedModel | undefined> {
  const version = await servingVersionId(tenantId, courseId);
  slot.served = version ? (slot.served?.version === version ? slot.served : { version, model: await load(version) }) : undefined;
  slot.checkedAt = Date.now();
  return slot.served;
}

/**
 * Asks the store which version serves this course now and swaps it in if it changed (no restart;
 * calls already running keep the model they started with). Resolves to the served version id.
 * Without a tenant there is no scope to serve, so nothing is (callers must scope: DESIGN.md, tenancy).
 */
export async function refreshActiveModel(tenantId?: string, courseId = ''): Promise<string | undefined> {
  if (!tenantId) return undefined;
  return (await refreshServed(tenantId, courseId))?.version;
}

function refreshServed(tenantId: string, courseId: string): Promise<ServedModel | undefined> {
  const key = slotKey(tenantId, courseId);
  const slot = slots.get(key) ?? { checkedAt: 0 };
  slots.set(key, slot);
  slot.pending ??= check(slot, tenantId, courseId).finally(() => (slot.pending = undefined));
  return slot.pending;
}

/** Every course served so far re-reads the store now (after a promote or rollback in this process). */
export async function refreshAllServed(): Promise<void> {
  for (const key of slots.keys()) {
    const [tenantId, courseId] = key.split('\u0000');
    await refreshServed(tenantId, courseId);
  }
}

/** The model serving a course (rechecked at most every few seconds), or undefined when none is active. */
export async function servedModel(tenantId: string, courseId: string): Promise<ServedModel | undefined> {
  const slot = slots.get(slotKey(tenantId, courseId));
  if (slot && Date.now() - slot.checkedAt < RECHECK_MS) return slot.served;
  return refreshServed(tenantId, courseId);
}

/** Success probabilities of every candidate for several learners, in one batched pass. */
export async function predictMany(requests: PredictRequest[], model?: Recommender): Promise<Float32Array[]> {
  if (!model) throw new Error('predict needs a model: use predictSuccess(scope, …) to predict with the one serving a course');
  return model.predict(requests.map((r) => candidateEpisode(r.history, r.candidates)));
}

/** P(correct) on each candidate item as the learner's next attempt, given their history (the support set). */
export async function predict(history: Interaction[], candidates: ItemRef[], model?: Recommender): Promise<Float32Array> {
  return (await predictMany([{ history, candidates }], model))[0];
}
