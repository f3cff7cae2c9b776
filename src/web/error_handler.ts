import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnavailable } from '../db/connection.js';
import { log } from '../log.js';
import { AppError } from './errors.js';
import { render } from './views.js';

function wantsJson(req: Request): boolean {
  return req.originalUrl.startsWith('/api/') || req.accepts(['html', 'json']) === 'json';
}

/** The last middleware: `{ error: { code, message } }` for API clients, a readable page for people, never a stack trace. */
export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  let e: AppError;
  if (err instanceof AppError) e = err;
  else if (isDatabaseUnavailable(err)) {
    e = new AppError('DATABASE_UNAVAILABLE', 'the database is unavailable right now; try again in a few seconds');
    res.setHeader('Retry-After', '5');
  } else if ((err as { type?: string }).type === 'entity.too.large') {
    e = new AppError('PAYLOAD_TOO_LARGE', 'the request body is too large');
  } else if ((err as { type?: string }).type === 'entity.parse.failed') {
    e = new AppError('BAD_REQUEST', 'the request body is not valid JSON');
  } else {
    log.error({ err, requestId: res.locals.requestId }, 'unhandled error');
    e = new AppError('INTERNAL', 'something went wrong on our side; the error was logged');
  }
  if (res.headersSent) return;
  if (e.status >= 500 && e.code !== 'INTERNAL') log.warn({ code: e.code, requestId: res.locals.requestId }, e.message);
  if (wantsJson(req)) {
    res.status(e.status).json({ error: { code: e.code, message: e.message } });
    return;
  }
  const launchProblem = e.code === 'LAUNCH_INVALID' || e.code === 'LAUNCH_UNAUTHORIZED' || e.code.startsWith('PLATFORM_') || e.code === 'DEPLOYMENT_UNKNOWN';
  const sessionProblem = e.code === 'SESSION_EXPIRED' || e.code === 'UNAUTHENTICATED';
  render(req, res, 'error.njk', {
    message: e.message,
    code: (e.details as { reason?: string } | undefined)?.reason ?? e.code,
    kind: launchProblem ? 'launch' : sessionProblem ? 'session' : 'other',
  }, e.status);
}

export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(new AppError('NOT_FOUND', `nothing at ${req.method} ${req.path}`));
}
