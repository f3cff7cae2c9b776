import { Router } from 'express';
import type { Config } from '../config.js';
import { requireLaunch, requireRole } from '../lti/session.js';
import { pickerRoutes } from './picker_routes.js';
import { overrideRoutes } from './override_routes.js';
import { playerRoutes } from './player_routes.js';
import { previewRoutes } from './preview_routes.js';
import { progressRoutes } from './progress_routes.js';
import { uploadRoutes } from './upload_routes.js';
import { bankRoutes } from './bank_routes.js';

/** The student player, the teacher's Deep Linking picker and content upload. */
export function contentRouter(config: Config): Router {
  const r = Router();
  const launch = requireLaunch(config.ltiKey);
  const anyone = [launch, requireRole('student', 'teacher', 'admin')];
  playerRoutes(r, anyone);
  previewRoutes(r, anyone);
  progressRoutes(r, anyone);
  const teacher = [launch, requireRole('teacher', 'admin')];
  pickerRoutes(r, teacher, `${config.publicUrl}/lti/launch`);
  uploadRoutes(r, teacher);
  bankRoutes(r, teacher);
  overrideRoutes(r, teacher);
  return r;
}
