/**
 * The activity area's public face: other areas import from here, never from its model.
 * Learner statements (xAPI 1.0.3-shaped) in `wf_statements`: recording, queries, erasure.
 */
export type { Verb } from './verbs.js';
export { VERBS, verbIri } from './verbs.js';
export type { StatementInput } from './input.js';
export type { StoredStatement, ObjectKind } from './model.js';
export type { CourseScope } from './scope.js';
export { recordForLaunch } from './record.js';
export { isPreview } from './documents.js';
export {
  courseStatements,
  coursesWithActivity,
  answersPerCourse,
  courseAggregates,
  lastActivityPerLearner,
  type SkillResolver,
  type HistoryEntry,
  type CourseAggregates,
  type AggregateOptions,
  type SkillDay,
} from './queries.js';
export { eraseLearner, onLearnerErased, type ErasureHook } from './erasure.js';
export { setRetentionDays } from './retention.js';
export { resetPreview } from './preview.js';
export { learnerStatements, eraseStatementsAbout } from './learner_records.js';
export { learnerRecord, courseRecords } from './learner_state.js';
