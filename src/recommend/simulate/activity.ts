import { createHash } from 'node:crypto';
import { recordForLaunch, type StatementInput } from '../../activity/index.js';
import type { Dataset } from '../data/interactions.js';

/**
 * Simulated learners' answers written to the activity log as ordinary statements, so training
 * reads them through the same path as real students'. Their subs carry `SIMULATED_SUB_PREFIX`
 * (never an LMS's sub, which has no such prefix), so dashboards and exports can tell them apart.
 */
export const SIMULATED_SUB_PREFIX = 'simulated-';

/** A UUID fixed by its inputs: re-seeding writes the same statements again, which the log accepts as repeats. */
function stableUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface SimulatedScope {
  tenantId: string;
  courseId: string;
  /** The platform issuer the statements' actor account names. */
  issuer: string;
}

/**
 * Writes every learner's interactions as `answered` statements, one second apart and ending an
 * hour ago, so their order in the log is their order in the dataset. Resolves to the count written.
 */
export async function recordSimulatedLearners(scope: SimulatedScope, data: Dataset, onLearner?: (done: number) => void): Promise<number> {
  let written = 0;
  const end = Date.now() - 3600_000;
  for (const [n, learner] of data.learners.entries()) {
    const sub = `${SIMULATED_SUB_PREFIX}${learner.learnerId}`;
    const session = { tenantId: scope.tenantId, courseId: scope.courseId, issuer: scope.issuer, sub, role: 'student' as const, testUser: false, launchId: `simulation:${sub}` };
    const start = end - learner.interactions.length * 1000;
    const input: StatementInput[] = learner.interactions.map((x, i) => ({
      id: stableUuid(scope.tenantId, scope.courseId, sub, String(i)),
      verb: 'answered',
      object: { id: x.itemId, kind: 'item' },
      result: { success: x.correct, score: { scaled: x.correct ? 1 : 0 } },
      context: { extensions: { simulated: true } },
      timestamp: new Date(start + i * 1000).toISOString(),
    }));
    if (input.length) await recordForLaunch(session, input);
    written += input.length;
    onLearner?.(n + 1);
  }
  return written;
}
