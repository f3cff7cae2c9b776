import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { activityRouter } from './activity/routes.js';
import type { Config } from './config.js';
import { contentRouter } from './content/routes.js';
import { dashboardRouter } from './dashboard/routes.js';
import { databaseHealthy } from './db/connection.js';
import { watchRequestReads } from './db/request_reads.js';
import { gradesRouter } from './grades/index.js';
import { adminPlatformsRouter, ltiRouter } from './lti/routes.js';
import { log } from './log.js';
import { privacyRouter } from './privacy/routes.js';
import { adminModelsRouter } from './recommend/index.js';
import { accessLog } from './web/access_log.js';
import { errorHandler, notFound } from './web/error_handler.js';
import { metricsRoute, requestMetrics, type MetricsAccess } from './web/metrics.js';

/**
 * Pages an LMS frames (launches, and every page after one: they carry the ltik) may be framed by
 * any site; the operator's console (`/admin` without an ltik, signed in by cookie) by none.
 */
function frameAncestors(req: IncomingMessage): string {
  const url = new URL(req.url ?? '/', 'http://x');
  const operatorConsole = /^\/admin(\/|$)/.test(url.pathname) && !url.searchParams.has('ltik');
  return operatorConsole ? "'none'" : '*';
}

/** The express app: shared middleware, then one router per area, then errors. */
export function createApp(config: Config, metrics: MetricsAccess = { kind: 'off' }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use((req, res, next) => {
    const incoming = req.headers['x-request-id'];
    res.locals.requestId = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', res.locals.requestId);
    next();
  });
  app.use(requestMetrics);
  app.use(accessLog);
  app.use(watchRequestReads);
  app.use(
    helmet({
      // Wayfinder lives inside LMS iframes: framing is allowed, and a strict CSP keeps scripts ours.
      frameguard: false,
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          frameAncestors: [frameAncestors],
          formAction: ['*'],
          // Development runs on plain http://localhost; production sits behind HTTPS anyway.
          upgradeInsecureRequests: null,
        },
      },
      crossOriginEmbedderPolicy: false,
      strictTransportSecurity: config.nodeEnv === 'production',
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  const publicDir = fileURLToPath(new URL('../public', import.meta.url));
  app.use('/static', express.static(publicDir, { maxAge: '1h' }));
  app.get('/favicon.ico', (_req, res) => res.sendFile('favicon.ico', { root: publicDir, maxAge: '1d' }));
  app.get('/healthz', async (_req, res) => {
    const db = await databaseHealthy();
    res.status(db ? 200 : 503).json({ status: db ? 'ok' : 'degraded', database: db ? 'up' : 'down' });
  });
  app.get('/metrics', metricsRoute(metrics));
  app.use('/lti', ltiRouter(config));
  app.use('/api/admin', adminPlatformsRouter(config));
  app.use('/api/admin', adminModelsRouter(config));
  app.use(dashboardRouter(config));
  app.use(contentRouter(config));
  app.use(activityRouter(config));
  app.use(privacyRouter(config));
  app.use(gradesRouter(config));
  app.use(notFound);
  app.use(errorHandler);
  log.debug('app created');
  return app;
}
