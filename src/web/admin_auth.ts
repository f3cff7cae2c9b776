import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from './errors.js';
import { operatorGuard } from './operator_guard.js';

/** A secret's digest, for comparing in constant time whatever the length of what was sent. */
export const secretDigest = (secret: string): Buffer => createHash('sha256').update(secret).digest();

/** Whether an Authorization header carries `Bearer <the secret>`. */
export function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  return timingSafeEqual(secretDigest(header.slice(7).trim()), expected);
}

/**
 * `Authorization: Bearer <ADMIN_TOKEN>`: the operator's key to every admin API. Failed attempts
 * are throttled per client and in total (operator_guard.ts): 429 with Retry-After, except for a
 * device that used the token successfully before.
 */
export function requireAdminToken(adminToken: string | undefined) {
  const expected = adminToken ? secretDigest(adminToken) : undefined;
  const guard = adminToken ? operatorGuard(adminToken) : undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!expected || !guard) return next(new AppError('FORBIDDEN', 'the admin API is disabled: set ADMIN_TOKEN to enable it'));
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) {
      return next(new AppError('UNAUTHENTICATED', 'send the admin token as "Authorization: Bearer <ADMIN_TOKEN>"'));
    }
    const wait = guard.wait(req);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      return next(new AppError('RATE_LIMITED', `too many wrong admin tokens were tried; try again in ${wait} s (a client that used the token before, with its device cookie, is not held up)`));
    }
    if (!bearerMatches(header, expected)) {
      guard.failed(req);
      return next(new AppError('UNAUTHENTICATED', 'the admin token is not valid'));
    }
    guard.succeeded(req, res);
    next();
  };
}
