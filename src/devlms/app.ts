import express, { type NextFunction, type Request, type Response } from 'express';
import { log } from '../log.js';
import { agsRoutes } from './ags.js';
import { deepLinkReturnRoutes } from './deep_link_return.js';
import { gradebookRoutes } from './gradebook.js';
import { nrpsRoutes } from './nrps.js';
import { authRoutes } from './oidc.js';
import { pageRoutes } from './pages.js';
import { platformStorageRoutes } from './platform_storage.js';
import { registrationRoutes } from './registration.js';
import { renderError } from './render.js';
import type { LmsState } from './state.js';
import { tokenRoutes } from './token.js';

/** The LMS's own express app, served on its own port so the tool runs cross-site in its iframe. */
export function createLmsApp(state: LmsState): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const router = express.Router();
  router.get('/jwks', (_req, res) => {
    res.set('Cache-Control', 'no-store').json(state.keys.jwks());
  });
  router.get('/', (_req, res) => res.redirect('/dev/lms'));
  router.use(state.faults.handler);
  authRoutes(router, state);
  registrationRoutes(router, state);
  tokenRoutes(router, state);
  deepLinkReturnRoutes(router, state);
  pageRoutes(router, state);
  platformStorageRoutes(router);
  agsRoutes(router, state);
  nrpsRoutes(router, state);
  gradebookRoutes(router, state);
  app.use(express.urlencoded({ extended: false, limit: '100kb' }), router);
  app.use((_req, res) => renderError(res, 404, 'Not found', 'The dev LMS has no page here.'));
  app.use((err: Error, req: Request, res: Response, _next: NextFunction) => {
    log.error({ err, path: req.path }, 'devlms: request failed');
    renderError(res, 500, 'Something went wrong', 'The dev LMS could not handle this request.');
  });
  return app;
}
