import { Router } from 'express';
import type { Config } from '../config.js';
import { requireLaunch, requireRole } from '../lti/session.js';
import { render } from '../web/views.js';

/** The student's landing page and the teacher's deep-linking picker. */
export function contentRouter(config: Config): Router {
  const r = Router();
  const session = requireLaunch(config.ltiKey);
  r.get('/student', session, requireRole('student', 'teacher', 'admin'), (req, res) => {
    render(req, res, 'student/home.njk', { launch: res.locals.launch });
  });
  r.get('/teacher/deep-link', session, requireRole('teacher', 'admin'), (req, res) => {
    render(req, res, 'teacher/deep_link.njk', { launch: res.locals.launch });
  });
  return r;
}
