import type { Episode } from '../data/episodes.js';
import type { Interaction, ItemRef } from '../data/interactions.js';

/**
 * Runs a learner-state model over an episode without leakage: queries are answered in position
 * order, and only support interactions strictly before a query's position are added to the state.
 */
export function walkEpisode<S>(episode: Episode, state: S, add: (state: S, x: Interaction) => void, score: (state: S, item: ItemRef) => number): Float32Array {
  const out = new Float32Array(episode.query.length);
  const supportOrder = episode.support.map((_, i) => i).sort((a, b) => episode.supportPos[a] - episode.supportPos[b]);
  const queryOrder = episode.query.map((_, i) => i).sort((a, b) => episode.queryPos[a] - episode.queryPos[b]);
  let next = 0;
  for (const q of queryOrder) {
    while (next < supportOrder.length && episode.supportPos[supportOrder[next]] < episode.queryPos[q]) add(state, episode.support[supportOrder[next++]]);
    out[q] = score(state, episode.query[q]);
  }
  return out;
}

/** Smoothed success rate: (correct + prior·weight) / (attempts + weight). */
export function smoothedRate(correct: number, attempts: number, prior: number, weight: number): number {
  return (correct + prior * weight) / (attempts + weight);
}

/** Per-item training success counts, shared by the baselines. */
export function itemCounts(learners: { interactions: Interaction[] }[]): { counts: Map<string, [number, number]>; mean: number } {
  const counts = new Map<string, [number, number]>();
  let correct = 0;
  let total = 0;
  for (const l of learners) {
    for (const x of l.interactions) {
      const c = counts.get(x.itemId) ?? [0, 0];
      c[0] += x.correct ? 1 : 0;
      c[1] += 1;
      counts.set(x.itemId, c);
      correct += x.correct ? 1 : 0;
      total++;
    }
  }
  return { counts, mean: total ? correct / total : 0.5 };
}
