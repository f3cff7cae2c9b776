import { Router } from 'express';
import type { Config } from '../config.js';
import { listPlatforms } from '../lti/platforms.js';
import { requireLaunch, requireRole } from '../lti/session.js';
import { render } from '../web/views.js';

/** Teacher and admin landing pages after a launch. */
export function dashboardRouter(config: Config): Router {
  const r = Router();
  const session = requireLaunch(config.ltiKey);
  r.get('/teacher', session, requireRole('teacher', 'admin'), (req, res) => {
    render(req, res, 'teacher/home.njk', { launch: res.locals.launch });
  });
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
