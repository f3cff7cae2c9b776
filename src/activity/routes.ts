import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import { ownCourseLaunch, requireLaunch, requireRole, type LaunchContext } from '../lti/session.js';
import { requireAdminToken } from '../web/admin_auth.js';
import { AppError } from '../web/errors.js';
import { parse } from '../web/validate.js';
import { checkActors } from './actor.js';
import { toDocuments } from './documents.js';
import { eraseLearner } from './erasure.js';
import { EXPORT_FORMATS, exportMedia, exportStatements } from './export.js';
import { takeIngestAllowance } from './ingest_limits.js';
import { parseIngestBody } from './input.js';
import { writeStatements } from './write.js';

const wrap =
  (fn: (req: Request, res: Response) => Promise<unknown>) =>
  (req: Request, res: Response, next: NextFunction) =>
    fn(req, res).catch(next);

const MAX_BODY = '1mb'; // 1 MiB

/**
 * `navigator.sendBeacon` cannot set headers, so the browser queue's last flush arrives as
 * `text/plain` with `{ ltik, statements }`: parse it as JSON before the session is looked up.
 */
const beaconBody = [
  express.json({ limit: MAX_BODY }),
  express.text({ type: 'text/plain', limit: MAX_BODY }),
  (req: Request, _res: Response, next: NextFunction) => {
    if (typeof req.body !== 'string') return next();
    try {
      req.body = JSON.parse(req.body);
      next();
    } catch {
      next(new AppError('BAD_REQUEST', 'the request body is not valid JSON'));
    }
  },
];

/** `/api/activity` (ingest), the course export and learner erasure. */
export function activityRouter(config: Config): Router {
  const r = Router();
  const session = requireLaunch(config.ltiKey);

  r.post(
    '/api/activity',
    beaconBody,
    session,
    wrap(async (req, res) => {
      const launch = res.locals.launch as LaunchContext;
      const parsed = parseIngestBody(req.body);
      checkActors(parsed, launch);
      takeIngestAllowance(config.ingestLimits, launch, parsed.length, res);
      const docs = toDocuments(launch, parsed);
      const outcome = await writeStatements(docs);
      res.json({ ids: docs.map((d) => d._id), ...outcome });
    }),
  );

  r.get(
    '/api/courses/:course/activity/export',
    session,
    requireRole('teacher', 'admin'),
    wrap(async (req, res) => {
      const launch = ownCourseLaunch(req, res);
      const { format } = parse(
        z.object({
          format: z.enum(EXPORT_FORMATS, { errorMap: () => ({ message: `must be one of ${EXPORT_FORMATS.join(', ')}` }) }).default('ndjson'),
          ltik: z.string().optional(),
        }),
        req.query,
        'query',
      );
      const media = exportMedia[format];
      res.attachment(`activity-${launch.courseId}.${media.extension}`);
      res.type(media.type); // after attachment(), which guesses a type from the file name
      await pipeline(Readable.from(exportStatements(launch, format, config.publicUrl)), res);
    }),
  );

  r.delete(
    '/api/admin/learners/:tenant/:sub',
    requireAdminToken(config.adminToken),
    wrap(async (req, res) => {
      const { tenant, sub } = req.params;
      const statements = await eraseLearner(tenant, sub); // logs what it erased
      res.json({ tenantId: tenant, sub, statementsErased: statements });
    }),
  );
  return r;
}
