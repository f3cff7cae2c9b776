import type { StoredStatement } from '../src/activity/index.js';

/** Baseline: main keeps no learner state, so bulk statements need nothing more. */
export async function seedLearnerStates(_docs: StoredStatement[]): Promise<void> {}
