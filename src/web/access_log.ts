import type { NextFunction, Request, Response } from 'express';
import { log } from '../log.js';

/**
 * One JSON line per request with its request id, so a person can follow a request from the
 * browser's `X-Request-Id` to the log. Paths only, never query strings (they can carry an ltik).
 * Health checks, metrics scrapes and static files are not worth a line each.
 */
const QUIET = /^\/(healthz|metrics|static\/)/;

export function accessLog(req: Request, res: Response, next: NextFunction): void {
  if (QUIET.test(req.path)) return next();
  const started = performance.now();
  res.on('finish', () => {
    const entry = {
      requestId: res.locals.requestId,
      method: req.method,
      path: req.path,
      status: res.statusCode,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (res.statusCode >= 500) log.error(entry, 'request failed');
    else if (res.statusCode >= 400) log.warn(entry, 'request refused');
    else log.info(entry, 'request');
  });
  next();
}
