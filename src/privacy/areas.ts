import { eraseStatementsAbout, learnerStatements, onLearnerErased } from '../activity/index.js';
import { eraseLearnerOverrides, learnerOverrides } from '../content/overrides.js';
import { courseGrades } from '../grades/index.js';
import { learnerLaunchSessions } from '../lti/session.js';
import { onLearnerExport } from './registry.js';

/**
 * Wires every area's learner records into data requests: what the export reads and what erasure
 * removes beyond the learner's own statements (which `eraseLearner` deletes itself; the grades
 * area registers its own erasure, the server the launch sessions'). Course copies hold no learner
 * data, so they are neither exported nor erased.
 */
let registered = false;

export function registerLearnerDataAreas(): void {
  if (registered) return;
  registered = true;
  onLearnerExport('statements', learnerStatements);
  onLearnerExport('recommendationsShown', async (tenantId, sub) =>
    (await learnerStatements(tenantId, sub))
      .filter((s) => s.verb === 'recommendation-shown' && s.sub === sub)
      .map((s) => ({ id: s._id, courseId: s.courseId, itemId: s.object.id, at: s.timestamp, ...s.context.extensions })),
  );
  // The grades area answers per course: ask it for every course the learner has statements in.
  onLearnerExport('grades', async (tenantId, sub) => {
    const courses = new Set((await learnerStatements(tenantId, sub)).map((s) => s.courseId));
    const perCourse = await Promise.all([...courses].map(async (courseId) => (await courseGrades({ tenantId, courseId }, sub)).map((g) => ({ courseId, ...g }))));
    return perCourse.flat();
  });
  onLearnerExport('overrides', learnerOverrides);
  onLearnerExport('launchSessions', learnerLaunchSessions);
  onLearnerErased(eraseStatementsAbout);
  onLearnerErased(eraseLearnerOverrides);
}
