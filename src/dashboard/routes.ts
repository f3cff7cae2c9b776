import { Router } from 'express';
import type { Config } from '../config.js';
import { listPlatforms } from '../lti/platforms.js';
import { requireLaunch, requireRole } from '../lti/session.js';
import { render } from '../web/views.js';
import { teacherRouter } from './teacher_routes.js';

/** Teacher dashboard and admin console. */
export function dashboardRouter(config: Config): Router {
  const r = Router();
  r.use(teacherRouter(config));
  const session = requireLaunch(config.ltiKey);
  r.get('/admin', session, requireRole('admin'), async (req, res, next) => {
    try {
      render(req, res, 'admin/home.njk', {
        launch: res.locals.launch,
        platforms: await listPlatforms(),
        registrationUrl: `${config.publicUrl}/lti/register`,
        canvasUrl: `${config.publicUrl}/lti/canvas.json`,
      });
    } catch (err) {
      next(err);
    }
  });
  return r;
}
