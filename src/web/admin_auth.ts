import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from './errors.js';

/** `Authorization: Bearer <ADMIN_TOKEN>`: the operator's key to every admin API. */
export function requireAdminToken(adminToken: string | undefined) {
  const expected = adminToken ? createHash('sha256').update(adminToken).digest() : undefined;
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!expected) return next(new AppError('FORBIDDEN', 'the admin API is disabled: set ADMIN_TOKEN to enable it'));
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) {
      return next(new AppError('UNAUTHENTICATED', 'send the admin token as "Authorization: Bearer <ADMIN_TOKEN>"'));
    }
    const given = createHash('sha256').update(header.slice(7).trim()).digest();
    if (!timingSafeEqual(given, expected)) return next(new AppError('UNAUTHENTICATED', 'the admin token is not valid'));
    next();
  };
}
