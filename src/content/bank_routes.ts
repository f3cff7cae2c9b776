import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { ownCourseLaunch, type LaunchContext } from '../lti/session.js';
import { parse } from '../web/validate.js';
import { render } from '../web/views.js';
import { BANK_FORMATS, importBank, type BankImport } from './formats/index.js';
import { BANK_LIMITS, type BankFormat } from './formats/bank.js';
import { ImportRefused } from './import.js';
import { scopeOf } from './player.js';

/**
 * Question banks (Moodle XML, GIFT, QTI 1.2) into the teacher's course: the JSON API
 * (`POST /api/courses/:course/content/import`) and the content page's preview and confirm
 * (`POST /teacher/content/bank`, answering an HTML fragment the page's script shows). The file
 * travels base64-encoded in JSON; a dry run checks and previews without storing anything.
 */
const MAX_BODY = `${Math.ceil((BANK_LIMITS.bytes * 4) / 3 / 1024 / 1024) + 1}mb`;
const bankSchema = z
  .object({
    file: z.string().min(1, 'the file, base64-encoded, is required').base64('must be the file base64-encoded'),
    fileName: z.string().max(255).optional(),
    format: z.enum(BANK_FORMATS as [BankFormat, ...BankFormat[]], { errorMap: () => ({ message: `must be one of ${BANK_FORMATS.join(', ')} (or left out: read from the content)` }) }).optional(),
    dryRun: z.boolean().default(false),
    /** The teacher's renames from the preview: source name (tag or category) → skill name; equal names merge. */
    skillNames: z.record(z.string().max(200), z.string().trim().min(1, 'a skill name must not be empty').max(200)).default({}),
    ltik: z.string().optional(),
  })
  .strict();

function run(req: Request, launch: LaunchContext): Promise<BankImport> {
  const body = parse(bankSchema, req.body, 'import');
  const bytes = Buffer.from(body.file, 'base64');
  return importBank(bytes, scopeOf(launch), `${body.fileName ?? 'question bank'} (upload by ${launch.sub})`, { format: body.format, dryRun: body.dryRun, skillNames: body.skillNames, fileName: body.fileName });
}

export function bankRoutes(r: Router, teacher: RequestHandler[]): void {
  r.post('/api/courses/:course/content/import', express.json({ limit: MAX_BODY }), ...teacher, (req: Request, res: Response, next: NextFunction) => {
    let launch: LaunchContext;
    try {
      launch = ownCourseLaunch(req, res);
    } catch (err) {
      return next(err);
    }
    run(req, launch)
      .then((result) => res.status(result.dryRun ? 200 : 201).json(result))
      .catch((err: unknown) => {
        if (!(err instanceof ImportRefused)) return next(err);
        // The catalogue's shape, plus every problem with its place.
        res.status(400).json({ error: { code: 'VALIDATION_FAILED', message: err.message, problems: err.problems } });
      });
  });

  r.post('/teacher/content/bank', express.json({ limit: MAX_BODY }), ...teacher, (req: Request, res: Response, next: NextFunction) => {
    const launch = res.locals.launch as LaunchContext;
    run(req, launch)
      .then((result) => render(req, res, 'teacher/_bank.njk', { result, ltik: res.locals.ltik }))
      .catch((err: unknown) => {
        if (!(err instanceof ImportRefused)) return next(err);
        render(req, res, 'teacher/_bank.njk', { problems: err.problems }, 422);
      });
  });
}
