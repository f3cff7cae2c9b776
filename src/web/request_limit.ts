import type { NextFunction, Request, Response } from 'express';
import { failureLimiter } from '../dashboard/admin/rate_limit.js';
import { AppError } from './errors.js';

/**
 * At most `max` requests per client address in `windowMs` to the routes it guards (anonymous
 * endpoints whose every call costs outbound requests or writes); beyond that 429 with
 * Retry-After. Counts every request, in memory, per process, on the sign-in lockout's limiter.
 */
export function requestLimit(max: number, windowMs: number, what: string) {
  const limiter = failureLimiter(max, windowMs);
  return (req: Request, res: Response, next: NextFunction) => {
    const key = req.ip ?? 'unknown';
    const wait = limiter.retryAfter(key);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      return next(new AppError('RATE_LIMITED', `too many ${what} from your address; try again in ${wait} s`));
    }
    limiter.fail(key);
    next();
  };
}
