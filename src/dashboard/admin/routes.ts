import { Router } from 'express';
import type { Config } from '../../config.js';
import { requireAdmin } from './auth.js';
import { healthRoutes } from './health.js';
import { modelRoutes } from './models.js';
import { platformRoutes } from './platforms.js';
import { signInRoutes } from './sign_in.js';

/** The admin console: sign-in, platforms, models, health, settings. */
export function adminRouter(config: Config): Router {
  const r = Router();
  signInRoutes(r, config);
  const admin = requireAdmin(config);
  platformRoutes(r, config, admin);
  modelRoutes(r, admin);
  healthRoutes(r, config, admin);
  return r;
}
