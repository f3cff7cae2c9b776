import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { addPlatform, approvePlatform, getPlatform, listPlatforms, newPlatformSchema, removePlatform, setPlatformStatus, type PlatformRecord } from '../../lti/platforms.js';
import { createRegistrationLink } from '../../lti/registration.js';
import { AppError, describeIssues } from '../../web/errors.js';
import { parse } from '../../web/validate.js';
import { checkCsrf, requireOperator, type Principal } from './auth.js';
import { adminPage, redirectWith } from './page.js';

const wrap =
  (fn: (req: Request, res: Response) => Promise<unknown>) =>
  (req: Request, res: Response, next: NextFunction) =>
    fn(req, res).catch(next);

/** An LMS administrator manages only their own platform; the operator manages every one. */
async function visiblePlatforms(admin: Principal): Promise<PlatformRecord[]> {
  const all = await listPlatforms();
  return admin.kind === 'operator' ? all : all.filter((p) => p._id === admin.platformKey);
}

async function ownPlatform(admin: Principal, id: string): Promise<PlatformRecord> {
  const p = await getPlatform(id);
  if (admin.kind === 'lti' && p._id !== admin.platformKey) throw new AppError('FORBIDDEN', 'you can manage only the platform you launched from');
  return p;
}

const lines = (v: unknown) =>
  (typeof v === 'string' ? v : '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

const addForm = z.object({
  issuer: z.string().trim(),
  clientId: z.string().trim(),
  name: z.string().trim().optional(),
  authUrl: z.string().trim(),
  tokenUrl: z.string().trim(),
  jwksUrl: z.string().trim(),
  deploymentIds: z.string().optional(),
});

const form = express.urlencoded({ extended: false, limit: '20kb' });

/** `/admin/platforms…`: the page and its form posts (each CSRF-checked, each answering with a redirect). */
export function platformRoutes(r: Router, config: Config, admin: express.RequestHandler): void {
  const page = (res: Response) => res.locals.admin as Principal;
  const showPage = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) =>
    adminPage(req, res, 'admin/platforms.njk', {
      platforms: await visiblePlatforms(page(res)),
      registrationUrl: `${config.publicUrl}/lti/register`,
      canvasUrl: `${config.publicUrl}/lti/canvas.json`,
      notice: typeof req.query.notice === 'string' ? req.query.notice : undefined,
      ...extra,
    }, status);

  r.get(['/admin', '/admin/platforms'], admin, wrap((req, res) => showPage(req, res)));

  r.post(
    '/admin/platforms',
    form,
    admin,
    checkCsrf,
    requireOperator,
    wrap(async (req, res) => {
      const raw = parse(addForm, req.body, 'platform form');
      const input = {
        issuer: raw.issuer,
        clientId: raw.clientId,
        name: raw.name || undefined,
        authUrl: raw.authUrl,
        tokenUrl: raw.tokenUrl,
        jwksUrl: raw.jwksUrl,
        deploymentIds: lines(raw.deploymentIds),
      };
      const checked = newPlatformSchema.safeParse(input);
      if (!checked.success) return showPage(req, res, { addProblems: describeIssues(checked.error.issues).split('; '), posted: raw }, 400);
      try {
        await addPlatform(checked.data, { source: 'manual' });
      } catch (err) {
        if (err instanceof AppError && err.code === 'CONFLICT') return showPage(req, res, { addProblems: [err.message], posted: raw }, 409);
        throw err;
      }
      redirectWith(req, res, '/admin/platforms', 'added');
    }),
  );

  r.post(
    '/admin/platforms/registration-links',
    form,
    admin,
    checkCsrf,
    requireOperator,
    wrap(async (req, res) => {
      const { note } = parse(z.object({ note: z.string().max(200).optional() }), { note: req.body.note || undefined }, 'registration link form');
      const link = await createRegistrationLink(config.publicUrl, note);
      await showPage(req, res, { oneTimeLink: link });
    }),
  );

  r.post(
    '/admin/platforms/:id/:action(approve|disable|remove)',
    form,
    admin,
    checkCsrf,
    wrap(async (req, res) => {
      const p = await ownPlatform(page(res), req.params.id);
      const action = req.params.action;
      if (action === 'approve') {
        const deployment = typeof req.body.deployment === 'string' && req.body.deployment ? [req.body.deployment] : [];
        await approvePlatform(p._id, deployment, page(res).kind);
      } else if (action === 'disable') {
        await setPlatformStatus(p._id, 'disabled');
      } else {
        if (page(res).kind !== 'operator') throw new AppError('FORBIDDEN', 'only the tool operator can remove a platform');
        await removePlatform(p._id);
      }
      redirectWith(req, res, '/admin/platforms', action === 'approve' ? 'approved' : action === 'disable' ? 'disabled' : 'removed');
    }),
  );
}
