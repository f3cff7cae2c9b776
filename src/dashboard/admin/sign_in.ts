import { timingSafeEqual } from 'node:crypto';
import express, { type Router, type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../../config.js';
import { secretDigest } from '../../web/admin_auth.js';
import { AppError } from '../../web/errors.js';
import { OPERATOR_FAILURES_PER_CLIENT, operatorGuard } from '../../web/operator_guard.js';
import { ADMIN_COOKIE, readCookie } from './auth.js';
import { adminPage } from './page.js';
import { ADMIN_SESSION_HOURS, createAdminSession, endAdminSession } from './sessions.js';

/** Failed sign-ins allowed per client address in the window before it must wait (shared with the admin API). */
export const SIGN_IN_FAILURES = OPERATOR_FAILURES_PER_CLIENT;

/** Only console paths are followed after signing in (no open redirect). */
const safeNext = (v: unknown) => (typeof v === 'string' && /^\/admin(\/[\w\-/]*)?(\?[^\\]*)?$/.test(v) && !v.startsWith('//') ? v : '/admin');

/**
 * The operator's sign-in with `ADMIN_TOKEN`: a session cookie that is HttpOnly, Secure,
 * SameSite=Lax (the console is used top-level, not in an LMS iframe) and `__Host-` prefixed.
 */
export function signInRoutes(r: Router, config: Config): void {
  const guard = config.adminToken ? operatorGuard(config.adminToken) : undefined;
  const expected = config.adminToken ? secretDigest(config.adminToken) : undefined;
  const form = express.urlencoded({ extended: false, limit: '4kb' });

  r.get('/admin/sign-in', (req, res) => {
    adminPage(req, res, 'admin/sign_in.njk', { next: safeNext(req.query.next), disabled: !expected });
  });

  r.post('/admin/sign-in', form, (req: Request, res: Response, next: NextFunction) => {
    const wait = guard?.wait(req) ?? 0;
    const target = safeNext(req.body?.next);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      const minutes = Math.ceil(wait / 60);
      return adminPage(req, res, 'admin/sign_in.njk', { next: target, tooMany: minutes }, 429);
    }
    if (!expected || !guard) return next(new AppError('FORBIDDEN', 'the admin console sign-in is disabled: set ADMIN_TOKEN to enable it'));
    const given = typeof req.body?.token === 'string' ? req.body.token : '';
    if (!given || !timingSafeEqual(secretDigest(given), expected)) {
      guard.failed(req);
      return adminPage(req, res, 'admin/sign_in.njk', { next: target, wrong: true }, 401);
    }
    createAdminSession()
      .then((s) => {
        res.cookie(ADMIN_COOKIE, s.id, { httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: ADMIN_SESSION_HOURS * 3600 * 1000 });
        guard.succeeded(req, res); // after the session cookie, which stays the first Set-Cookie
        res.redirect(303, target);
      })
      .catch(next);
  });

  // Signing out needs no CSRF token: the worst a forged request can do is sign the operator out.
  r.post('/admin/sign-out', (req, res, next) => {
    const id = readCookie(req, ADMIN_COOKIE);
    (id ? endAdminSession(id) : Promise.resolve())
      .then(() => {
        res.clearCookie(ADMIN_COOKIE, { httpOnly: true, secure: true, sameSite: 'lax', path: '/' });
        res.redirect(303, '/admin/sign-in');
      })
      .catch(next);
  });
}
