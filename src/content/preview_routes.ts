import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { isPreview, recordForLaunch, resetPreview } from '../activity/index.js';
import type { LaunchContext } from '../lti/session.js';
import { AppError } from '../web/errors.js';
import { launchTarget } from './player.js';

/**
 * "Reset my preview": a teacher previewing (or an LMS test user) starts the student experience
 * again. Their preview statements in this course go (activity area's `resetPreview`), and the
 * reset itself is kept as a `preview-reset` statement.
 */
const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next);

/** The statement's object: what the launch opens, or the course when it opens nothing yet. */
async function resetObject(launch: LaunchContext) {
  const target = await launchTarget(launch);
  if (target.kind === 'pathway') return { id: target.pathway.id, kind: 'pathway' as const };
  if (target.kind === 'item') return { id: target.item.id, kind: 'item' as const };
  return { id: launch.courseId, kind: 'pathway' as const };
}

export function previewRoutes(r: Router, session: express.RequestHandler[]): void {
  r.post(
    '/student/preview/reset',
    express.urlencoded({ extended: false, limit: '4kb' }),
    ...session,
    wrap(async (_req, res) => {
      const launch = res.locals.launch as LaunchContext;
      if (!isPreview(launch)) {
        throw new AppError('FORBIDDEN', 'only a preview can be reset: your answers as a student count and are kept');
      }
      const removed = await resetPreview({ tenantId: launch.tenantId, courseId: launch.courseId }, launch.sub);
      await recordForLaunch(launch, [{ verb: 'preview-reset', object: await resetObject(launch), result: { extensions: { removed } } }]);
      res.redirect(303, `/student?ltik=${encodeURIComponent(res.locals.ltik as string)}&reset=${removed}`);
    }),
  );
}
