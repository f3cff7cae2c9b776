import type { Router, NextFunction, Request, Response } from 'express';
import type express from 'express';
import type { Config } from '../../config.js';
import { databaseHealthy } from '../../db/connection.js';
import { recentLaunchFailures } from '../../lti/launch_failures.js';
import { outboxTotals } from '../integrations.js';
import { requireOperator } from './auth.js';
import { jobsStartedHere } from './models.js';
import { adminPage } from './page.js';

const wrap =
  (fn: (req: Request, res: Response) => Promise<unknown>) =>
  (req: Request, res: Response, next: NextFunction) =>
    fn(req, res).catch(next);

export const LAUNCH_FAILURE_HOURS = 24;

/** A connection string without credentials or options: scheme, hosts and database name. */
export function redactedUri(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  const m = /^(mongodb(?:\+srv)?:\/\/)(?:[^@/]*@)?([^/?]*)(\/[^?]*)?/.exec(uri);
  return m ? `${m[1]}${m[2]}${m[3] ?? ''}` : undefined;
}

/** `/admin/health` and `/admin/settings` (read-only, no secrets): operator only. */
export function healthRoutes(r: Router, config: Config, admin: express.RequestHandler): void {
  r.get(
    '/admin/health',
    admin,
    requireOperator,
    wrap(async (req, res) => {
      const [database, failures, outbox] = await Promise.all([databaseHealthy(), recentLaunchFailures(LAUNCH_FAILURE_HOURS), outboxTotals()]);
      adminPage(req, res, 'admin/health.njk', { database, failures, failureHours: LAUNCH_FAILURE_HOURS, outbox, jobs: jobsStartedHere() });
    }),
  );

  r.get('/admin/settings', admin, requireOperator, (req, res) => {
    // Secrets show only whether they are set.
    const rows: [string, string | number | boolean | { secret: boolean } | { embedded: true }][] = [
      ['NODE_ENV', config.nodeEnv],
      ['PUBLIC_URL', config.publicUrl],
      ['PORT', config.port],
      ['MONGODB_URI', redactedUri(config.mongodbUri) ?? { embedded: true }],
      ['LTI_KEY', { secret: true }],
      ['ADMIN_TOKEN', { secret: Boolean(config.adminToken) }],
      ['DEV_LMS', config.devLms],
      ['DEV_LMS_PORT', config.devLmsPort],
      ['LOG_LEVEL', config.logLevel],
      ['TRUST_PROXY', String(config.trustProxy)],
      ['CLOCK_SKEW_SECONDS', config.clockSkewSeconds],
      ['DATA_DIR', config.dataDir],
      ['RETENTION_DAYS', config.retentionDays],
      ['RETRAIN_INTERVAL_HOURS', config.retrainIntervalHours],
    ];
    adminPage(req, res, 'admin/settings.njk', { rows });
  });
}
