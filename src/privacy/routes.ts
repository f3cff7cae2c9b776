import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import { requireAdminToken } from '../web/admin_auth.js';
import { parse } from '../web/validate.js';
import { exportLearner } from './registry.js';

/** Data requests: `GET /api/admin/learners/:tenant/:sub/export`, one JSON file (erasure is the activity area's DELETE). */
const params = z.object({
  tenant: z.string().min(1).max(100, 'a tenant id is at most 100 characters'),
  sub: z.string().min(1).max(255, 'an LTI sub is at most 255 characters'),
});

export function privacyRouter(config: Config): Router {
  const r = Router();
  r.get('/api/admin/learners/:tenant/:sub/export', requireAdminToken(config.adminToken), (req: Request, res: Response, next: NextFunction) => {
    const { tenant, sub } = parse(params, req.params, 'path');
    exportLearner(tenant, sub)
      .then((data) => {
        res.attachment(`learner-${tenant}-${sub.replace(/[^\w.-]/g, '_')}.json`);
        res.type('application/json').send(JSON.stringify(data, null, 2));
      })
      .catch(next);
  });
  return r;
}
