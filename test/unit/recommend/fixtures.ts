import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset, Interaction } from '../../../src/recommend/data/interactions.js';
import { makeRng } from '../../../src/recommend/random.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const datasetsDir = path.join(repoRoot, '..', 'shared', 'datasets');

/** Small neural configs so every model trains and checks quickly in tests. */
export const TINY = { dim: 8, heads: 2, hidden: 8, features: 4, pairBudget: 20_000, maxBatch: 16 };

/**
 * Learners with planted structure: 24 items in 4 skills, a hidden ability per learner and skill,
 * item difficulties, and learning (ability grows after each attempt on the skill).
 * `world` gives another course's items: other ids (`prefix`) and difficulties (`seed`, standard deviation `spread`), the same skills.
 */
export function plantedDataset(learners: number, seed: number, length = 40, world = { seed: 1234, prefix: 'i', spread: 1 }): Dataset {
  const normal = (rng: () => number) => Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());
  // The item world is the same for every seed; only the learners differ.
  const items = makeRng(world.seed);
  const difficulty = Array.from({ length: 24 }, () => world.spread * normal(items));
  const rng = makeRng(seed);
  return {
    name: 'planted',
    learners: Array.from({ length: learners }, (_, n) => {
      const ability = Array.from({ length: 4 }, () => 1.5 * normal(rng));
      const interactions: Interaction[] = [];
      for (let t = 0; t < length; t++) {
        const item = Math.floor(rng() * 24);
        const skill = item % 4;
        const correct = rng() < 1 / (1 + Math.exp(-(ability[skill] - difficulty[item])));
        ability[skill] += 0.1;
        interactions.push({ itemId: `${world.prefix}${item}`, skills: [`s${skill}`], correct });
      }
      return { learnerId: `L${n}`, interactions };
    }),
  };
}
