import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from './errors.js';

/** A secret's digest, for comparing in constant time whatever the length of what was sent. */
export const secretDigest = (secret: string): Buffer => createHash('sha256').update(secret).digest();

/** Whether an Authorization header carries `Bearer <the secret>`. */
export function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  return timingSafeEqual(secretDigest(header.slice(7).trim()), expected);
}

/** `Authorization: Bearer <ADMIN_TOKEN>`: the operator's key to every admin API. */
export function requireAdminToken(adminToken: string | undefined) {
  const expected = adminToken ? secretDigest(adminToken) : undefined;
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!expected) return next(new AppError('FORBIDDEN', 'the admin API is disabled: set ADMIN_TOKEN to enable it'));
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) {
      return next(new AppError('UNAUTHENTICATED', 'send the admin token as "Authorization: Bearer <ADMIN_TOKEN>"'));
    }
    if (!bearerMatches(header, expected)) return next(new AppError('UNAUTHENTICATED', 'the admin token is not valid'));
    next();
  };
}
