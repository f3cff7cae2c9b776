import { isIPv6 } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { failureLimiter } from '../dashboard/admin/rate_limit.js';
import { AppError } from './errors.js';

/**
 * At most `max` requests per client address in `windowMs` to the routes it guards (anonymous
 * endpoints whose every call costs outbound requests or writes); beyond that 429 with
 * Retry-After. Counts every request, in memory, per process, on the sign-in lockout's limiter.
 */
/**
 * Whom a request is counted against: its IPv4 address, or the /64 of its IPv6 address (one
 * subscriber commonly holds a whole /64, so single IPv6 addresses would be free to rotate).
 */
export function clientKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  if (!isIPv6(ip) || /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) return ip.replace(/^::ffff:/i, '');
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export function requestLimit(max: number, windowMs: number, what: string) {
  const limiter = failureLimiter(max, windowMs);
  return (req: Request, res: Response, next: NextFunction) => {
    const key = clientKey(req.ip);
    const wait = limiter.retryAfter(key);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      return next(new AppError('RATE_LIMITED', `too many ${what} from your address; try again in ${wait} s`));
    }
    limiter.fail(key);
    next();
  };
}
