import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import { requireAdminToken } from '../web/admin_auth.js';
import { AppError } from '../web/errors.js';
import { parse } from '../web/validate.js';
import { getJob, onJobEvent, startTraining, type JobEvent } from './jobs.js';
import { MODEL_NAMES } from './models/types.js';
import { predictForLearner } from './service.js';
import { getVersion, listVersions, NothingToRollBack, promoteVersion, rollbackVersion, VersionNotFound } from './store.js';
import { refreshAllServed } from './predict.js';

/** The admin JSON API of the recommender: model versions, training jobs (with a progress stream), promote, roll back, predict. */
type Handler = (req: Request, res: Response) => Promise<void>;
const wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction) =>
  fn(req, res).catch((err: unknown) => {
    if (err instanceof VersionNotFound) return next(new AppError('NOT_FOUND', `${err.message}; list versions with GET /api/admin/models`));
    if (err instanceof NothingToRollBack) return next(new AppError('CONFLICT', err.message));
    next(err);
  });

const id = (what: string) => z.string({ required_error: 'is required' }).min(1, `${what} must not be empty`).max(200);

const listQuery = z.object({ tenantId: id('tenantId').optional(), courseId: z.string().max(200).optional() }).strict();

const trainBody = z
  .object({
    model: z.enum(MODEL_NAMES, { errorMap: () => ({ message: `must be one of ${MODEL_NAMES.join(', ')}` }) }),
    tenantId: id('tenantId'),
    courseId: id('courseId').optional(),
    epochs: z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100').optional(),
    seed: z.number().int().optional(),
    promote: z.enum(['never', 'if-not-worse', 'always'], { errorMap: () => ({ message: 'must be never, if-not-worse or always' }) }).optional(),
    adaptFrom: id('adaptFrom').optional(),
  })
  .strict()
  .refine((b) => !b.adaptFrom || b.courseId, { message: 'adaptFrom adapts a model to a course: give the courseId too', path: ['courseId'] });

const predictBody = z
  .object({
    tenantId: id('tenantId'),
    courseId: id('courseId'),
    sub: id('sub'),
    candidates: z.array(id('a candidate item id')).min(1, 'name at least one candidate item id').max(2000, 'at most 2000 candidates per call'),
  })
  .strict();

function jobOr404(jobId: string) {
  const job = getJob(jobId);
  if (!job) throw new AppError('NOT_FOUND', `no training job ${jobId} in this server (jobs are kept in memory until restart); start one with POST /api/admin/models/train`);
  return job;
}

/** Server-sent events: what happened so far, then each new event, closing after done or failed. */
function streamEvents(req: Request, res: Response, jobId: string): void {
  const job = jobOr404(jobId);
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  const send = (e: JobEvent) => {
    res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    if (e.type === 'done' || e.type === 'failed') res.end();
  };
  const past = [...job.events];
  const unsubscribe = onJobEvent(jobId, send);
  req.on('close', unsubscribe);
  res.on('finish', unsubscribe);
  past.forEach(send);
}

export function adminModelsRouter(config: Config): Router {
  const r = Router();
  r.use('/models', requireAdminToken(config.adminToken), express.json({ limit: '64kb' }));
  r.use('/predict', requireAdminToken(config.adminToken), express.json({ limit: '256kb' }));

  r.get(
    '/models',
    wrap(async (req, res) => {
      const q = parse(listQuery, req.query, 'query');
      res.json({ versions: await listVersions(q) });
    }),
  );
  r.post(
    '/models/train',
    wrap(async (req, res) => {
      const body = parse(trainBody, req.body ?? {});
      const job = startTraining(body);
      res.status(202).location(`/api/admin/models/jobs/${job.id}`).json({ job });
    }),
  );
  r.get('/models/jobs/:id', wrap(async (req, res) => void res.json({ job: jobOr404(req.params.id) })));
  r.get('/models/jobs/:id/events', wrap(async (req, res) => streamEvents(req, res, req.params.id)));
  r.post(
    '/models/:version/promote',
    wrap(async (req, res) => {
      const version = await promoteVersion(req.params.version);
      await refreshAllServed();
      res.json({ version });
    }),
  );
  r.post(
    '/models/:version/rollback',
    wrap(async (req, res) => {
      const from = await getVersion(req.params.version);
      const restored = await rollbackVersion(from, from.version);
      await refreshAllServed();
      res.json({ retired: from.version, version: await getVersion(restored) });
    }),
  );
  r.post(
    '/predict',
    wrap(async (req, res) => {
      const body = parse(predictBody, req.body ?? {});
      res.json(await predictForLearner(body));
    }),
  );
  return r;
}
