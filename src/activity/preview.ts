import { statements } from './model.js';
import { rebuildState } from './rebuild.js';
import { requireScope, type CourseScope } from './scope.js';
import type { Verb } from './verbs.js';

/**
 * Audit records a previewer makes about the course rather than as a learner: they survive a
 * reset (`preview-reset` is the reset's own record; `override` is a teacher's decision).
 */
const KEPT_ON_RESET: Verb[] = ['preview-reset', 'override'];

/**
 * "Reset my preview": deletes one previewer's preview statements in one course, so the student
 * experience starts again from nothing. Real learners' statements (`preview: false`) are never
 * touched, whoever asks. Returns how many statements were removed.
 */
export async function resetPreview(scope: CourseScope, sub: string): Promise<number> {
  const { tenantId, courseId } = requireScope(scope);
  if (!sub) throw new Error('resetPreview needs the previewer (sub)');
  const { deletedCount } = await statements().deleteMany({ tenantId, courseId, sub, preview: true, verb: { $nin: KEPT_ON_RESET } });
  // The preview state follows what is left (the kept audit records).
  const kept = await statements().findOne({ tenantId, courseId, sub, preview: true });
  await rebuildState({ tenantId, courseId, sub, preview: true }, kept?.issuer ?? '');
  return deletedCount;
}
