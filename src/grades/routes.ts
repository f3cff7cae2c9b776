import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import { courseRoster } from '../lti/names_roles.js';
import { ownCourseLaunch, requireLaunch, requireRole } from '../lti/session.js';
import { requireAdminToken } from '../web/admin_auth.js';
import { AppError } from '../web/errors.js';
import { parse } from '../web/validate.js';
import { courseGrades, gradesSummary, retryLearnerGrades } from './status.js';

const wrap =
  (fn: (req: Request, res: Response) => Promise<unknown>) =>
  (req: Request, res: Response, next: NextFunction) =>
    fn(req, res).catch(next);

const courseParams = z.object({ course: z.string().min(1).max(100) });
const learnerParams = courseParams.extend({ sub: z.string().min(1, 'the learner id is required').max(255) });
const rosterQuery = z.object({
  refresh: z.enum(['0', '1', 'true', 'false']).optional(),
  ltik: z.string().optional(),
});

/** The teacher's launch, if it is for the course in the URL; otherwise 403. */
/** Grade delivery state and the roster for the teacher dashboard; outbox totals for the operator. */
export function gradesRouter(config: Config): Router {
  const r = Router();
  const teacher = [requireLaunch(config.ltiKey), requireRole('teacher', 'admin')];

  r.get(
    '/api/courses/:course/grades',
    ...teacher,
    wrap(async (req, res) => {
      const launch = ownCourseLaunch(req, res);
      res.json({ courseId: launch.courseId, grades: await courseGrades(launch) });
    }),
  );

  r.post(
    '/api/courses/:course/grades/:sub/retry',
    ...teacher,
    wrap(async (req, res) => {
      const launch = ownCourseLaunch(req, res);
      const { sub } = parse(learnerParams, req.params, 'path');
      const queued = await retryLearnerGrades(launch, sub);
      if (!queued) {
        const known = (await courseGrades(launch, sub)).length > 0;
        if (!known) throw new AppError('NOT_FOUND', `no grades for learner ${sub} in this course`);
      }
      res.status(202).json({ sub, queued, grades: await courseGrades(launch, sub) });
    }),
  );

  r.get(
    '/api/courses/:course/roster',
    ...teacher,
    wrap(async (req, res) => {
      const launch = ownCourseLaunch(req, res);
      const q = parse(rosterQuery, req.query, 'query');
      res.json(await courseRoster(launch, { refresh: q.refresh === '1' || q.refresh === 'true' }));
    }),
  );

  r.get(
    '/api/admin/grades/summary',
    requireAdminToken(config.adminToken),
    wrap(async (_req, res) => {
      const platforms = await gradesSummary();
      res.json({
        pending: platforms.reduce((n, p) => n + p.pending, 0),
        failed: platforms.reduce((n, p) => n + p.failed, 0),
        platforms,
      });
    }),
  );
  return r;
}
