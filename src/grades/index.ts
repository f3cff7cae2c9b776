/**
 * The grades area's public face: grades from observed evidence, the durable AGS outbox and its
 * worker, and what teachers and admins see of it. Other areas import from here only.
 */
import { onLearnerErased } from '../activity/index.js';
import { forgetRosters } from '../lti/names_roles.js';
import { onLearnerExport } from '../privacy/registry.js';
import { deliveries, slots } from './model.js';
import { eraseLearnerGradeOverrides, learnerGradeOverrides } from './override.js';
import { eraseSlotLogs } from './slot_log.js';
import { GradeWorker, type WorkerOptions } from './worker.js';

export type { DeliveryState, GradeLinkRef, GradingRule, ScoreToSend, SlotState } from './model.js';
export { DEFAULT_RULE, parseRule } from './evidence.js';
export {
  gradeAfterActivity,
  gradingRuleFor,
  setGradingRule,
  GRADING_CUSTOM,
  type GradeTarget,
} from './grading.js';
export { submitGrade, slotOf, type GradeChange } from './submit.js';
export {
  setGradeOverride,
  revertGradeOverride,
  listGradeOverrides,
  isGradeOverrideId,
  type GradeOverride,
} from './override.js';
export {
  courseGrades,
  retryLearnerGrades,
  gradesSummary,
  type LearnerGrade,
  type PlatformGradeTotals,
  type VisibleState,
} from './status.js';
export { GradeWorker, DEFAULT_WORKER_OPTIONS, type WorkerOptions } from './worker.js';
export { gradesRouter } from './routes.js';
export { courseRoster, type Roster, type RosterMember } from '../lti/names_roles.js';

/** Starts this process's outbox worker; `stop()` it before closing the database. */
export function startGradeWorker(options: Partial<WorkerOptions> = {}): GradeWorker {
  return new GradeWorker(options).start();
}

// A learner's erasure removes their grades in the outbox, teachers' overrides of them and the
// tenant's cached rosters; a data request exports the overrides (the grades are exported per course).
onLearnerErased(async (tenantId, sub) => {
  const fields = { projection: { slot: 1 } };
  const [records, live] = await Promise.all([slots().find({ tenantId, sub }, fields).toArray(), deliveries().find({ tenantId, sub }, fields).toArray()]);
  await eraseSlotLogs([...new Set([...records.map((r) => r._id), ...live.map((d) => d.slot)])]);
  await deliveries().deleteMany({ tenantId, sub });
  await slots().deleteMany({ tenantId, sub });
  await eraseLearnerGradeOverrides(tenantId, sub);
  await forgetRosters(tenantId);
});
onLearnerExport('gradeOverrides', learnerGradeOverrides);
