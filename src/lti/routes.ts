import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import { requireAdminToken } from '../web/admin_auth.js';
import { AppError } from '../web/errors.js';
import { requestLimit } from '../web/request_limit.js';
import { parse } from '../web/validate.js';
import { render } from '../web/views.js';
import { canvasConfig } from './canvas_config.js';
import { partitionedCookies } from './contrib/partitioned_cookies.js';
import { completeLaunch, landingPath, ltijsRefusal, precheckLaunch } from './message_launch.js';
import { platformStorageLaunch } from './platform_storage_launch.js';
import { platformStorageLogin } from './platform_storage_login.js';
import {
  addPlatform,
  approvePlatform,
  findPlatform,
  getPlatform,
  listPlatforms,
  newPlatformSchema,
  removePlatform,
  setPlatformStatus,
} from './platforms.js';
import { lti } from './provider.js';
import { consumeInvite, createRegistrationLink, registerDynamically, releaseInvite, type RegistrationOutcome } from './registration.js';
import { ltiRouteGate } from './route_gate.js';
import { requireLaunch, type LaunchContext } from './session.js';

/** Anonymous writes and outbound requests, per client address (see README, "Limits"). */
const LIMIT_WINDOW_MS = 10 * 60 * 1000;
const REGISTRATIONS_PER_WINDOW = 10;
const LOGINS_PER_WINDOW = 1200;

/** The page that ends a dynamic registration: new or updated, and what the platform's status means. */
function registeredPage(o: RegistrationOutcome) {
  const pendingDeployment = o.platform.deployments.some((d) => d.id === o.deploymentId && d.status === 'pending');
  return { updated: o.updated, status: o.platform.status, clientId: o.platform.clientId, deploymentId: o.deploymentId, pendingDeployment };
}

const wrap =
  (fn: (req: Request, res: Response) => Promise<unknown>) =>
  (req: Request, res: Response, next: NextFunction) =>
    fn(req, res).catch(next);

/** `/lti/*`: ltijs's login, launch and keys, with Wayfinder's checks and registration around them. */
export function ltiRouter(config: Config): Router {
  const r = Router();
  r.use(ltiRouteGate, partitionedCookies);
  r.get('/canvas.json', (_req, res) => {
    res.json(canvasConfig(config.publicUrl));
  });
  r.get(
    '/register',
    requestLimit(REGISTRATIONS_PER_WINDOW, LIMIT_WINDOW_MS, 'registration attempts'),
    wrap(async (req, res) => {
      const q = parse(
        z.object({
          openid_configuration: z.string({ required_error: 'is required (the platform adds it when it opens this URL)' }).url(),
          registration_token: z.string().max(8192).optional(),
          invite: z.string().max(200).optional(),
        }),
        req.query,
        'registration request',
      );
      const preApproved = q.invite ? await consumeInvite(q.invite) : false;
      if (q.invite && !preApproved) throw new AppError('FORBIDDEN', 'this registration link was already used or has expired; ask for a new one');
      const tool = { publicUrl: config.publicUrl, production: config.nodeEnv === 'production' };
      const outcome = await registerDynamically(tool, q.openid_configuration, q.registration_token, preApproved).catch(async (err: unknown) => {
        if (q.invite) await releaseInvite(q.invite);
        throw err;
      });
      render(req, res, 'registered.njk', registeredPage(outcome));
    }),
  );
  // Cookie-less launches (LTI platform storage, cookie check) are handled around ltijs, not in it.
  r.all('/login', requestLimit(LOGINS_PER_WINDOW, LIMIT_WINDOW_MS, 'logins'), platformStorageLogin());
  r.post('/launch', precheckLaunch(config.clockSkewSeconds), platformStorageLaunch(config));
  // A valid ltik goes back to its own landing page; it never reaches ltijs, which would mint a new session from it.
  r.get('/launch', requireLaunch(config.ltiKey), (_req, res) => {
    const launch = res.locals.launch as LaunchContext;
    res.redirect(303, `${landingPath(launch)}?ltik=${encodeURIComponent(res.locals.ltik as string)}`);
  });
  lti.onConnect(completeLaunch);
  lti.onDeepLinking(completeLaunch);
  lti.onInvalidToken(ltijsRefusal);
  lti.onSessionTimeout(ltijsRefusal);
  lti.onUnregisteredPlatform((req, res) => {
    res.locals.err = { details: { message: 'UNREGISTERED_PLATFORM' } };
    return ltijsRefusal(req, res);
  });
  lti.onInactivePlatform(async (req, res) => {
    // ltijs knows only "inactive": say which, a platform waiting for approval or one disabled.
    const p = { ...req.query, ...req.body } as { iss?: unknown; client_id?: unknown };
    const platform = typeof p.iss === 'string' && typeof p.client_id === 'string' ? await findPlatform(p.iss, p.client_id).catch(() => null) : null;
    res.locals.err = { details: { message: platform?.status === 'disabled' ? 'PLATFORM_DISABLED' : 'PLATFORM_NOT_ACTIVATED' } };
    return ltijsRefusal(req, res);
  });
  r.use(lti.app);
  return r;
}

const approveSchema = z.object({ deploymentIds: z.array(z.string().min(1)).default([]) });

/** `/api/admin/platforms`: manual registration and approval, for `ADMIN_TOKEN` holders. */
export function adminPlatformsRouter(config: Config): Router {
  const r = Router();
  r.use(requireAdminToken(config.adminToken), express.json({ limit: '64kb' }));
  r.get('/platforms', wrap(async (_req, res) => res.json({ platforms: await listPlatforms() })));
  r.post(
    '/platforms',
    wrap(async (req, res) => {
      const input = parse(newPlatformSchema, req.body);
      res.status(201).json({ platform: await addPlatform(input, { source: 'manual' }) });
    }),
  );
  r.get('/platforms/:id', wrap(async (req, res) => res.json({ platform: await getPlatform(req.params.id) })));
  r.delete(
    '/platforms/:id',
    wrap(async (req, res) => {
      await removePlatform(req.params.id);
      res.status(204).end();
    }),
  );
  r.post(
    '/platforms/:id/approve',
    wrap(async (req, res) => {
      const { deploymentIds } = parse(approveSchema, req.body ?? {});
      res.json({ platform: await approvePlatform(req.params.id, deploymentIds) });
    }),
  );
  r.post('/platforms/:id/disable', wrap(async (req, res) => res.json({ platform: await setPlatformStatus(req.params.id, 'disabled') })));
  r.post(
    '/registration-links',
    wrap(async (req, res) => {
      const { note } = parse(z.object({ note: z.string().max(200).optional() }), req.body ?? {});
      res.status(201).json(await createRegistrationLink(config.publicUrl, note));
    }),
  );
  return r;
}
