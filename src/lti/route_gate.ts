import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../web/errors.js';

/**
 * The documented `/lti/*` routes and their methods: nothing else reaches ltijs, which would
 * otherwise answer every method on every path (and on some malformed ones throw from its own
 * error handler). Paths match exactly (no other case, no trailing slash), because ltijs compares
 * them exactly too: `/lti/Login` would be its "app route" to it, not its login.
 */
const ROUTES: Record<string, readonly string[]> = {
  '/login': ['GET', 'POST'], // OIDC login initiation (platforms use either)
  '/launch': ['GET', 'POST'], // POST: the id_token; GET: back to the landing page with a valid ltik
  '/keys': ['GET'],
  '/register': ['GET'],
  '/canvas.json': ['GET'],
};

/** 404 for unknown paths, 405 (with `Allow`) for other methods; HEAD goes where GET goes. */
export function ltiRouteGate(req: Request, res: Response, next: NextFunction): void {
  const methods = Object.hasOwn(ROUTES, req.path) ? ROUTES[req.path] : undefined;
  if (!methods) return next(new AppError('NOT_FOUND', `nothing at ${req.method} /lti${req.path}`));
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  if (!methods.includes(method)) {
    res.setHeader('Allow', methods.includes('GET') ? [...methods, 'HEAD'].join(', ') : methods.join(', '));
    return next(new AppError('METHOD_NOT_ALLOWED', `/lti${req.path} accepts ${methods.join(' or ')}, not ${req.method}`));
  }
  next();
}
