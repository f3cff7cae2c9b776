import type { Dataset, Interaction, ItemRef } from './interactions.js';
import { shuffle, type Rng } from '../random.js';

/**
 * A few-shot task for one learner: what they did (support set) and the items to predict (query set).
 * Query j may only use support i when supportPos[i] < queryPos[j]; the models enforce this with a mask,
 * so one causal episode (support = query = a whole chunk) predicts every position without leakage.
 */
export interface Episode {
  learnerId: string;
  support: Interaction[];
  supportPos: number[];
  query: ItemRef[];
  queryPos: number[];
  /** Known outcomes of the query set (training and evaluation only). */
  queryCorrect?: boolean[];
  /** Position of query 0 in the learner's whole sequence (0-based), for the few-shot metrics. */
  offset: number;
}

/** The standard protocol's chunk length (DKVMN): longer sequences are cut into consecutive chunks. */
export const CHUNK_LENGTH = 200;

/** Every response predicted from the responses before it in its chunk: one causal episode per chunk. */
export function causalEpisodes(dataset: Dataset, chunkLength = CHUNK_LENGTH): Episode[] {
  const episodes: Episode[] = [];
  for (const learner of dataset.learners) {
    for (let start = 0; start < learner.interactions.length; start += chunkLength) {
      const chunk = learner.interactions.slice(start, start + chunkLength);
      const pos = chunk.map((_, i) => i);
      episodes.push({
        learnerId: learner.learnerId,
        support: chunk,
        supportPos: pos,
        query: chunk,
        queryPos: pos,
        queryCorrect: chunk.map((x) => x.correct),
        offset: start,
      });
    }
  }
  return episodes;
}

/** Serving: the whole history is the support set and every candidate is asked "what if next?". */
export function candidateEpisode(history: Interaction[], candidates: ItemRef[], learnerId = 'live'): Episode {
  const next = history.length;
  return {
    learnerId,
    support: history,
    supportPos: history.map((_, i) => i),
    query: candidates,
    queryPos: candidates.map(() => next),
    offset: next,
  };
}

/**
 * Samples a classic few-shot episode from one learner: a support set of k consecutive
 * interactions (k drawn uniformly from 1..maxSupport) and a query set of the next m.
 */
export function sampleEpisode(learner: Dataset['learners'][number], maxSupport: number, querySize: number, rng: Rng): Episode | undefined {
  const n = learner.interactions.length;
  if (n < 2) return undefined;
  const k = 1 + Math.floor(rng() * Math.min(maxSupport, n - 1));
  const start = Math.floor(rng() * (n - k));
  const support = learner.interactions.slice(start, start + k);
  const query = learner.interactions.slice(start + k, start + k + querySize);
  return {
    learnerId: learner.learnerId,
    support,
    supportPos: support.map((_, i) => i),
    query,
    queryPos: query.map(() => k),
    queryCorrect: query.map((x) => x.correct),
    offset: start + k,
  };
}

/** Holds out a seeded fraction of learners (for validation); never used on the test file. */
export function splitLearners(dataset: Dataset, fraction: number, rng: Rng): { train: Dataset; valid: Dataset } {
  const order = shuffle([...dataset.learners], rng);
  const valid = new Set(order.slice(0, Math.round(order.length * fraction)));
  return {
    train: { name: dataset.name, learners: dataset.learners.filter((l) => !valid.has(l)) },
    valid: { name: dataset.name, learners: dataset.learners.filter((l) => valid.has(l)) },
  };
}
