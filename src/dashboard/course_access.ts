import type { NextFunction, Request, Response } from 'express';
import type { LaunchContext } from '../lti/session.js';
import { AppError } from '../web/errors.js';

/**
 * Teacher pages and JSON name their course in the URL; a launch only opens the course it came
 * from. Runs after requireLaunch and requireRole('teacher', 'admin').
 */
export function requireOwnCourse(req: Request, res: Response, next: NextFunction): void {
  const launch = res.locals.launch as LaunchContext;
  if (req.params.course !== launch.courseId) {
    return next(new AppError('FORBIDDEN', 'you can see only the course you opened Wayfinder from; open the other course from your LMS'));
  }
  next();
}

export const courseScope = (launch: LaunchContext) => ({ tenantId: launch.tenantId, courseId: launch.courseId });
