import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { isGradeOverrideId, listGradeOverrides, revertGradeOverride, setGradeOverride } from '../grades/index.js';
import { ownCourseLaunch } from '../lti/session.js';
import { AppError } from '../web/errors.js';
import { parse } from '../web/validate.js';
import { findItem } from './catalog.js';
import { SCORE_MAXIMUM } from './deep_link.js';
import { listOverrides, revertOverride, setOverride, WHOLE_COURSE } from './overrides.js';

/**
 * Teachers' overrides as JSON: `/api/courses/:course/overrides` (list, set, revert) — pins and
 * skips of "Next up" (this area) and learners' grades (the grades area's, sent through its outbox).
 */
const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next);

const steerSchema = z
  .object({
    kind: z.enum(['pin', 'skip']),
    itemId: z.string().min(1, 'must name an item').max(200),
    learner: z.string().min(1, `must be a learner's sub, or "${WHOLE_COURSE}" for the whole course`).max(255),
  })
  .strict();
const gradeSchema = z
  .object({
    kind: z.literal('grade'),
    learner: z
      .string()
      .min(1, "must be the learner's sub")
      .max(255)
      .refine((s) => s !== WHOLE_COURSE, "a grade override is for one learner: name the learner's sub"),
    resourceLinkId: z.string().min(1, 'must name the resource link (gradebook column) of the grade').max(255),
    score: z
      .number({ required_error: `is required: points from 0 to ${SCORE_MAXIMUM}`, invalid_type_error: 'must be a number' })
      .min(0, `must be from 0 to ${SCORE_MAXIMUM}`)
      .max(SCORE_MAXIMUM, `must be from 0 to ${SCORE_MAXIMUM}`),
  })
  .strict();
const setSchema = z.discriminatedUnion('kind', [steerSchema, gradeSchema], {
  errorMap: (issue, ctx) =>
    issue.code === 'invalid_union_discriminator' ? { message: 'must be pin, skip or grade' } : { message: ctx.defaultError },
});
const idSchema = z.union([z.string().uuid(), z.string().refine(isGradeOverrideId)], {
  errorMap: () => ({ message: 'must be an override id, as the list of overrides gives it' }),
});
const listSchema = z.object({ learner: z.string().min(1).max(255).optional(), ltik: z.string().optional() });

export function overrideRoutes(r: Router, teacher: RequestHandler[]): void {
  r.get(
    '/api/courses/:course/overrides',
    ...teacher,
    wrap(async (req, res) => {
      const launch = ownCourseLaunch(req, res);
      const { learner } = parse(listSchema, req.query, 'query');
      const [steering, grades] = await Promise.all([listOverrides(launch, { learner }), listGradeOverrides(launch, { learner })]);
      const overrides = [...steering, ...grades].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
      res.json({ overrides });
    }),
  );

  r.post(
    '/api/courses/:course/overrides',
    express.json({ limit: '4kb' }),
    ...teacher,
    wrap(async (req, res) => {
      const launch = ownCourseLaunch(req, res);
      const { ltik: _ltik, ...body } = (req.body ?? {}) as Record<string, unknown>;
      const input = parse(setSchema, body, 'override');
      if (input.kind === 'grade') {
        res.status(201).json({ override: await setGradeOverride(launch, input) });
        return;
      }
      if (!(await findItem(launch, input.itemId))) throw new AppError('NOT_FOUND', `item ${input.itemId} is not in this course`);
      res.status(201).json({ override: await setOverride(launch, input) });
    }),
  );

  r.delete(
    '/api/courses/:course/overrides/:id',
    ...teacher,
    wrap(async (req, res) => {
      const launch = ownCourseLaunch(req, res);
      const id = parse(idSchema, req.params.id, 'id');
      const reverted = isGradeOverrideId(id) ? await revertGradeOverride(launch, id) : await revertOverride(launch, id);
      if (!reverted) throw new AppError('NOT_FOUND', 'no such override in this course');
      res.json({ override: reverted });
    }),
  );
}
