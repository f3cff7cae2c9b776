import { statements, type StoredStatement } from './model.js';

/**
 * Statements a learner's data request covers: the ones they made, in every course of the tenant,
 * and the ones teachers made about them (an `override` names its learner in
 * `context.extensions.learner`; the teacher is the actor).
 */
const aboutLearner = (tenantId: string, sub: string) => ({ tenantId, 'context.extensions.learner': sub });

function requireLearner(tenantId: string, sub: string): void {
  if (!tenantId || !sub) throw new Error('learner records need both tenantId and sub; refusing to run unscoped');
}

export async function learnerStatements(tenantId: string, sub: string): Promise<StoredStatement[]> {
  requireLearner(tenantId, sub);
  const [own, about] = await Promise.all([
    statements().find({ tenantId, sub }).sort({ timestamp: 1, stored: 1 }).toArray(),
    statements().find(aboutLearner(tenantId, sub)).sort({ timestamp: 1, stored: 1 }).toArray(),
  ]);
  return [...own, ...about.filter((s) => s.sub !== sub)];
}

/** Erasure's part for statements others made about the learner (their own go in `eraseLearner`). */
export async function eraseStatementsAbout(tenantId: string, sub: string): Promise<number> {
  requireLearner(tenantId, sub);
  const { deletedCount } = await statements().deleteMany(aboutLearner(tenantId, sub));
  return deletedCount;
}
