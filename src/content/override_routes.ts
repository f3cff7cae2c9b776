import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import type { LaunchContext } from '../lti/session.js';
import { AppError } from '../web/errors.js';
import { parse } from '../web/validate.js';
import { findItem } from './catalog.js';
import { listOverrides, revertOverride, setOverride, WHOLE_COURSE } from './overrides.js';

/** Teachers' overrides of "Next up" as JSON: `/api/courses/:course/overrides` (list, set, revert). */
const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next);

const setSchema = z
  .object({
    kind: z.enum(['pin', 'skip'], { errorMap: () => ({ message: 'must be pin or skip' }) }),
    itemId: z.string().min(1, 'must name an item').max(200),
    learner: z.string().min(1, `must be a learner's sub, or "${WHOLE_COURSE}" for the whole course`).max(255),
  })
  .strict();
const listSchema = z.object({ learner: z.string().min(1).max(255).optional(), ltik: z.string().optional() });

function ownCourse(req: Request, res: Response): LaunchContext {
  const launch = res.locals.launch as LaunchContext;
  if (req.params.course !== launch.courseId) {
    throw new AppError('FORBIDDEN', 'you can change only the course you opened Wayfinder from; open the other course from your LMS');
  }
  return launch;
}

export function overrideRoutes(r: Router, teacher: RequestHandler[]): void {
  r.get(
    '/api/courses/:course/overrides',
    ...teacher,
    wrap(async (req, res) => {
      const launch = ownCourse(req, res);
      const { learner } = parse(listSchema, req.query, 'query');
      res.json({ overrides: await listOverrides(launch, { learner }) });
    }),
  );

  r.post(
    '/api/courses/:course/overrides',
    express.json({ limit: '4kb' }),
    ...teacher,
    wrap(async (req, res) => {
      const launch = ownCourse(req, res);
      const { ltik: _ltik, ...body } = (req.body ?? {}) as Record<string, unknown>;
      const input = parse(setSchema, body, 'override');
      if (!(await findItem(launch, input.itemId))) throw new AppError('NOT_FOUND', `item ${input.itemId} is not in this course`);
      res.status(201).json({ override: await setOverride(launch, input) });
    }),
  );

  r.delete(
    '/api/courses/:course/overrides/:id',
    ...teacher,
    wrap(async (req, res) => {
      const launch = ownCourse(req, res);
      const reverted = await revertOverride(launch, parse(z.string().uuid('must be an override id'), req.params.id, 'id'));
      if (!reverted) throw new AppError('NOT_FOUND', 'no such override in this course');
      res.json({ override: reverted });
    }),
  );
}
