import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../../config.js';
import { requireLaunch, type LaunchContext } from '../../lti/session.js';
import { AppError } from '../../web/errors.js';
import { findAdminSession } from './sessions.js';

/**
 * Who is using the admin console: the operator (signed in with `ADMIN_TOKEN`, a session cookie)
 * or an LMS administrator (an LTI launch with an administrator role, limited to their own
 * platform). Either way the principal carries the CSRF synchronizer token its forms must echo:
 * the admin session's token, or the launch session's server-side launch id.
 */
export type Principal =
  | { kind: 'operator'; csrf: string }
  | { kind: 'lti'; csrf: string; platformKey: string; name: string; ltik: string };

export const ADMIN_COOKIE = '__Host-wf_admin';

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

const hasLtik = (req: Request) =>
  typeof req.query.ltik === 'string' || typeof (req.body as { ltik?: unknown } | undefined)?.ltik === 'string' || req.headers.authorization?.startsWith('Bearer ');

/** Resolves the principal onto `res.locals.admin`; people without one are sent to the sign-in page. */
export function requireAdmin(config: Config) {
  const launchSession = requireLaunch(config.ltiKey);
  return (req: Request, res: Response, next: NextFunction) => {
    if (hasLtik(req)) {
      return launchSession(req, res, (err?: unknown) => {
        if (err) return next(err);
        const launch = res.locals.launch as LaunchContext;
        if (launch.role !== 'admin') return next(new AppError('FORBIDDEN', 'the admin console is for LMS administrators and the tool operator only'));
        res.locals.admin = { kind: 'lti', csrf: launch.launchId, platformKey: launch.platformKey, name: launch.name, ltik: res.locals.ltik } satisfies Principal;
        next();
      });
    }
    const id = readCookie(req, ADMIN_COOKIE);
    (id ? findAdminSession(id) : Promise.resolve(null))
      .then((session) => {
        if (session) {
          res.locals.admin = { kind: 'operator', csrf: session.csrf } satisfies Principal;
          return next();
        }
        if (req.method === 'GET') {
          return res.redirect(303, `/admin/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
        }
        next(new AppError('UNAUTHENTICATED', 'sign in to the admin console first'));
      })
      .catch(next);
  };
}

/** Operator-only pages (models, health, settings, adding platforms): LMS administrators get 403. */
export function requireOperator(_req: Request, res: Response, next: NextFunction): void {
  if ((res.locals.admin as Principal).kind !== 'operator') {
    return next(new AppError('FORBIDDEN', 'this part of the admin console is for the tool operator (sign in with the admin token)'));
  }
  next();
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Synchronizer-token check for every admin form post. */
export function checkCsrf(req: Request, res: Response, next: NextFunction): void {
  const given = (req.body as { _csrf?: unknown } | undefined)?._csrf;
  const expected = (res.locals.admin as Principal).csrf;
  if (typeof given !== 'string' || !timingSafeEqual(digest(given), digest(expected))) {
    return next(new AppError('FORBIDDEN', 'this form has expired or did not come from the admin console; reload the page and try again'));
  }
  next();
}
