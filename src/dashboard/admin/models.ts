import express, { type Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { listPlatforms } from '../../lti/platforms.js';
import {
  getJob,
  getVersion,
  listVersions,
  MODEL_NAMES,
  onJobEvent,
  promoteVersion,
  refreshAllServed,
  rollbackVersion,
  startTraining,
  type JobEvent,
  type VersionSummary,
} from '../../recommend/index.js';
import { AppError } from '../../web/errors.js';
import { lineChart } from '../charts.js';
import { checkCsrf, requireOperator } from './auth.js';
import { adminPage, redirectWith } from './page.js';

/**
 * `/admin/models…`: model versions with their metrics and learning curves, training with a live
 * progress bar (server-sent events from the recommender's job events), promote and roll back.
 * Operator only: models serve every course of a tenant.
 */
const wrap =
  (fn: (req: Request, res: Response) => Promise<unknown>) =>
  (req: Request, res: Response, next: NextFunction) =>
    fn(req, res).catch((err: unknown) => {
      // The store's "not found" and "nothing to roll back" become messages a person can act on.
      const name = (err as Error)?.constructor?.name;
      if (name === 'VersionNotFound') return next(new AppError('NOT_FOUND', `${(err as Error).message}; pick a version from the list`));
      if (name === 'NothingToRollBack') return next(new AppError('CONFLICT', (err as Error).message));
      next(err);
    });

const VERSIONS_SHOWN = 50;

/** Jobs started from this console since the server started, newest first (the health page lists them). */
const consoleJobs: string[] = [];
export const jobsStartedHere = () => consoleJobs.map((id) => getJob(id)).filter((j) => j !== undefined);

/** The tenants a model can be trained for: every approved deployment, named by its platform. */
async function tenantChoices(): Promise<{ id: string; label: string }[]> {
  return (await listPlatforms()).flatMap((p) => p.deployments.filter((d) => d.status === 'approved').map((d) => ({ id: d.tenantId, label: `${p.name} · ${d.id}` })));
}

/** Validation AUC per epoch, on a y axis that fits the curve (AUC 0.5 is chance). */
export function learningCurve(v: VersionSummary) {
  const aucs = v.curve.map((p) => p.validAuc);
  const lo = Math.min(0.5, Math.floor(Math.min(...aucs) * 20) / 20);
  const hi = Math.min(1, Math.ceil(Math.max(...aucs) * 20) / 20 || 1);
  return lineChart(v.curve.map((p) => ({ label: String(p.epoch), value: p.validAuc })), lo, hi > lo ? hi : lo + 0.05);
}

const trainForm = z.object({
  model: z.enum(MODEL_NAMES, { errorMap: () => ({ message: `choose a model: ${MODEL_NAMES.join(', ')}` }) }),
  tenantId: z.string().min(1, 'choose a tenant'),
  courseId: z.string().trim().max(200).optional(),
  epochs: z.coerce.number().int('epochs must be a whole number').min(1, 'epochs must be at least 1').max(100, 'epochs must be at most 100'),
  promote: z.enum(['never', 'if-not-worse', 'always'], { errorMap: () => ({ message: 'choose when to promote' }) }),
  adaptFrom: z.literal('tenant').optional(),
}).refine((f) => !f.adaptFrom || f.courseId, { message: "to adapt the tenant's model, give the course id" });

const form = express.urlencoded({ extended: false, limit: '10kb' });

export function modelRoutes(r: Router, admin: express.RequestHandler): void {
  const operator = [admin, requireOperator];

  const showPage = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const versions = await listVersions({}, VERSIONS_SHOWN);
    const chosen = typeof req.query.version === 'string' ? req.query.version : undefined;
    const shown = (chosen ? versions.find((v) => v.version === chosen) : undefined) ?? versions.find((v) => v.curve.length);
    adminPage(req, res, 'admin/models.njk', {
      versions,
      tenants: await tenantChoices(),
      models: MODEL_NAMES,
      shown,
      curve: shown?.curve.length ? learningCurve(shown) : undefined,
      notice: typeof req.query.notice === 'string' ? req.query.notice : undefined,
      ...extra,
    }, status);
  };

  r.get('/admin/models', ...operator, wrap((req, res) => showPage(req, res)));

  r.post(
    '/admin/models/train',
    form,
    ...operator,
    checkCsrf,
    wrap(async (req, res) => {
      const parsed = trainForm.safeParse(req.body);
      if (!parsed.success) return showPage(req, res, { trainProblems: parsed.error.issues.map((i) => i.message), posted: req.body }, 400);
      const { courseId, ...rest } = parsed.data;
      if (!(await tenantChoices()).some((t) => t.id === rest.tenantId)) throw new AppError('VALIDATION_FAILED', 'choose one of the listed tenants');
      const job = startTraining({ ...rest, ...(courseId ? { courseId } : {}) });
      consoleJobs.unshift(job.id);
      consoleJobs.length = Math.min(consoleJobs.length, 20);
      res.redirect(303, `/admin/models/jobs/${encodeURIComponent(job.id)}${req.query.lang ? `?lang=${encodeURIComponent(String(req.query.lang))}` : ''}`);
    }),
  );

  r.get(
    '/admin/models/jobs/:id',
    ...operator,
    wrap(async (req, res) => {
      const job = getJob(req.params.id);
      if (!job) throw new AppError('NOT_FOUND', 'no such training job in this server (jobs are kept in memory until a restart)');
      const last = [...job.events].reverse().find((e) => e.type === 'epoch') as Extract<JobEvent, { type: 'epoch' }> | undefined;
      adminPage(req, res, 'admin/model_job.njk', { job, last, epochs: job.events.filter((e) => e.type === 'epoch') });
    }),
  );

  // The progress stream the job page's script listens to: past events, then new ones until done.
  r.get(
    '/admin/models/jobs/:id/events',
    ...operator,
    wrap(async (req, res) => {
      const job = getJob(req.params.id);
      if (!job) throw new AppError('NOT_FOUND', 'no such training job in this server');
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      const send = (e: JobEvent) => {
        res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
        if (e.type === 'done' || e.type === 'failed') res.end();
      };
      const past = [...job.events];
      const unsubscribe = onJobEvent(job.id, send);
      req.on('close', unsubscribe);
      res.on('finish', unsubscribe);
      past.forEach(send);
    }),
  );

  r.post(
    '/admin/models/:version/:action(promote|rollback)',
    form,
    ...operator,
    checkCsrf,
    wrap(async (req, res) => {
      const v = await getVersion(req.params.version);
      if (req.params.action === 'promote') await promoteVersion(v.version);
      else await rollbackVersion(v, v.version);
      await refreshAllServed();
      redirectWith(req, res, '/admin/models', req.params.action === 'promote' ? 'promoted' : 'rolledBack');
    }),
  );
}
