import { withSkills, type HistoryEntry, type SkillResolver } from './queries.js';
import { requireScope, type CourseScope } from './scope.js';
import { historyOf, mergedHistory } from './state.js';
import { courseLearnerSubs, readState, readStates } from './state_store.js';

/**
 * What the request paths read about learners: their state documents, by `_id` (never the log),
 * as statement-shaped history in time order, so the readers of a history work on either.
 */

/** One learner's record in a course; a previewer's own views add their preview record. */
export async function learnerRecord(
  scope: CourseScope,
  sub: string,
  opts: { includePreview?: boolean; skillsOf?: SkillResolver } = {},
): Promise<HistoryEntry[]> {
  const { tenantId, courseId } = requireScope(scope);
  if (!sub) throw new Error('learnerRecord needs the learner (sub)');
  const keys = [
    { tenantId, courseId, sub, preview: false },
    ...(opts.includePreview ? [{ tenantId, courseId, sub, preview: true }] : []),
  ];
  const states = (await Promise.all(keys.map(readState))).filter((s) => s !== undefined);
  return withSkills(states.length ? mergedHistory(states) : [], opts.skillsOf);
}

/** Every learner of a course with (non-preview) activity, each with their record, ordered by id. */
export async function courseRecords(
  scope: CourseScope,
  opts: { skillsOf?: SkillResolver } = {},
): Promise<{ sub: string; history: HistoryEntry[] }[]> {
  const { tenantId, courseId } = requireScope(scope);
  const subs = await courseLearnerSubs(tenantId, courseId);
  const states = await readStates(subs.map((sub) => ({ tenantId, courseId, sub, preview: false })));
  const records = await Promise.all(
    states.map(async (s) => ({ sub: s.sub, history: await withSkills(historyOf(s), opts.skillsOf) })),
  );
  return records.filter((r) => r.history.length).sort((a, b) => a.sub.localeCompare(b.sub));
}
