import { Router } from 'express';
import type { Config } from '../config.js';
import { adminRouter } from './admin/routes.js';
import { teacherRouter } from './teacher_routes.js';

/** Teacher dashboard and admin console. */
export function dashboardRouter(config: Config): Router {
  const r = Router();
  r.use(teacherRouter(config));
  r.use(adminRouter(config));
  return r;
}
