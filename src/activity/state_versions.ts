import { createHash, randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import type { LearnerStateDoc } from './state.js';

/**
 * Compare-and-set for learner states with `_id` filters only. A replace filtered by `{_id, v}` is
 * atomic on MongoDB but on FerretDB v1 decodes every document of the collection (only a lone `_id`
 * is pushed down) and is not atomic there either. So a writer that read version v first claims
 * v + 1 by inserting its claim (an insert that a unique `_id` refuses is atomic on both), then
 * replaces the state by `_id`, then drops the claim of v. Claim ids are hashes of the state's id,
 * its life (a fresh token whenever a state is created) and the version: no learner id is kept,
 * and a state deleted and created again never meets its old claims.
 */
const claims = () => mongoose.connection.collection<{ _id: string; at: Date; by: string }>('wf_state_claims');

/** This process, as a writer of learner states (and of their `unconfirmed` statements). */
export const PROCESS = randomUUID();
const claimId = (state: Pick<LearnerStateDoc, '_id' | 'life'>, v: number) =>
  createHash('sha256').update(`${state._id}\u0000${state.life ?? ''}\u0000${v}`).digest('base64url');

/**
 * A claim whose version never landed belongs to a writer that failed between claim and replace
 * (a database outage, a crash). This process writes a state one write at a time, so a claim of its
 * own is such a failure and is taken over at once; another process's after this long.
 */
export const CLAIM_TIMEOUT_MS = 30_000;

/** Claims `next` over `prev` (one version on); false when another writer holds that version. */
export async function claimNextVersion(prev: LearnerStateDoc, now = new Date()): Promise<boolean> {
  const _id = claimId(prev, prev.v + 1);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await claims().insertOne({ _id, at: now, by: PROCESS });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      // The state is still at v (the caller just read it): a claim past its timeout never landed.
      const held = await claims().findOne({ _id });
      if (!held || (held.by !== PROCESS && +now - +held.at < CLAIM_TIMEOUT_MS)) return false;
      await claims().deleteOne({ _id });
    }
  }
  return false;
}

/** After `prev`'s successor is written, the claim that made `prev` is no longer needed. */
export async function releaseVersion(prev: LearnerStateDoc): Promise<void> {
  await claims().deleteOne({ _id: claimId(prev, prev.v) });
}
