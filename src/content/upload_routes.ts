import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { LaunchContext } from '../lti/session.js';
import { parse } from '../web/validate.js';
import { render } from '../web/views.js';
import { importContent, ImportRefused } from './import.js';
import { scopeOf } from './player.js';

/**
 * The teacher's content upload for their course: paste or pick a JSON or CSV file. The file's
 * text travels in a form field (the page's script fills it from the chosen file), so it needs no
 * multipart parser; the import itself is the same all-or-nothing import as the CLI's.
 */
const MAX_UPLOAD = '5mb';
const uploadSchema = z.object({
  ltik: z.string(),
  format: z.enum(['json', 'csv'], { errorMap: () => ({ message: 'choose JSON or CSV' }) }),
  content: z.string().min(1, 'choose a file or paste its content'),
});

export function uploadRoutes(r: Router, session: express.RequestHandler[]): void {
  r.get('/teacher/content', ...session, (req, res) => {
    render(req, res, 'teacher/content.njk', { launch: res.locals.launch, ltik: res.locals.ltik });
  });

  r.post(
    '/teacher/content',
    express.urlencoded({ extended: false, limit: MAX_UPLOAD }),
    ...session,
    (req: Request, res: Response, next: NextFunction) => {
      const launch = res.locals.launch as LaunchContext;
      const body = parse(uploadSchema, req.body, 'upload');
      importContent(body.content, body.format, scopeOf(launch), `upload by ${launch.sub}`)
        .then((result) => render(req, res, 'teacher/content.njk', { launch, ltik: res.locals.ltik, result }))
        .catch((err: unknown) => {
          if (!(err instanceof ImportRefused)) return next(err);
          render(req, res, 'teacher/content.njk', { launch, ltik: res.locals.ltik, problems: err.problems, format: body.format }, 422);
        });
    },
  );
}
