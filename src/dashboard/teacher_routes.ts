import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import { requireLaunch, requireOwnCourse, requireRole, type LaunchContext } from '../lti/session.js';
import { AppError } from '../web/errors.js';
import { parse } from '../web/validate.js';
import { render } from '../web/views.js';
import { courseScope } from './course_access.js';
import { courseRoster, learnerGrades, retryGrades } from './integrations.js';
import { learnerDetail } from './learner.js';
import { withNames } from './overview.js';
import { cachedOverview } from './overview_cache.js';
import { pathwaySettings, savePathwaySettings, settingsForm } from './settings.js';
import { formatters, localeOf } from './view_helpers.js';

const wrap =
  (fn: (req: Request, res: Response) => Promise<unknown>) =>
  (req: Request, res: Response, next: NextFunction) =>
    fn(req, res).catch(next);

const subParam = z.string().min(1).max(255);

/** What every teacher page needs: the launch, its ltik for links, the course base path, formatters. */
function pageData(req: Request, res: Response) {
  const launch = res.locals.launch as LaunchContext;
  return {
    launch,
    ltik: res.locals.ltik as string,
    base: `/teacher/courses/${encodeURIComponent(launch.courseId)}`,
    f: formatters(localeOf(req, res)),
  };
}

async function rosterNames(launch: LaunchContext): Promise<Map<string, string>> {
  const roster = await courseRoster(launch);
  return new Map(roster.available ? roster.value.filter((m) => m.name).map((m) => [m.sub, m.name!]) : []);
}

/**
 * The teacher's pages for the course they launched from (`/teacher`, `/teacher/courses/:course/…`)
 * and the same data as JSON (`/api/courses/:course/overview`, `…/learners/:sub`).
 */
export function teacherRouter(config: Config): Router {
  const r = Router();
  const teacher = [requireLaunch(config.ltiKey), requireRole('teacher', 'admin')];
  const course = [...teacher, requireOwnCourse];

  const overviewPage = wrap(async (req, res) => {
    const data = pageData(req, res);
    const [{ overview, at }, names] = await Promise.all([cachedOverview(courseScope(data.launch), localeOf(req, res)), rosterNames(data.launch)]);
    render(req, res, 'teacher/home.njk', { ...data, overview: withNames(overview, names), asOf: at });
  });
  r.get('/teacher', ...teacher, overviewPage);
  r.get('/teacher/courses/:course', ...course, overviewPage);

  // `/learners?sub=…` is where the overview's learner buttons (one GET form) lead.
  r.get(
    ['/teacher/courses/:course/learners/:sub', '/teacher/courses/:course/learners'],
    ...course,
    wrap(async (req, res) => {
      const data = pageData(req, res);
      const sub = parse(subParam, req.params.sub ?? req.query.sub, 'learner');
      const [detail, grades, names] = await Promise.all([
        learnerDetail(courseScope(data.launch), sub, { locale: localeOf(req, res) }),
        learnerGrades(data.launch, sub),
        rosterNames(data.launch),
      ]);
      if (!detail) throw new AppError('NOT_FOUND', 'this learner has no activity in this course');
      render(req, res, 'teacher/learner.njk', { ...data, detail, grades, name: names.get(sub), retried: typeof req.query.retried === 'string' ? Number(req.query.retried) : undefined });
    }),
  );

  r.post(
    '/teacher/courses/:course/learners/:sub/grades/retry',
    express.urlencoded({ extended: false, limit: '10kb' }),
    ...course,
    wrap(async (req, res) => {
      const data = pageData(req, res);
      const sub = parse(subParam, req.params.sub, 'learner');
      const queued = await retryGrades(data.launch, sub);
      res.redirect(303, `${data.base}/learners/${encodeURIComponent(sub)}?ltik=${encodeURIComponent(data.ltik)}&retried=${queued}#grades`);
    }),
  );

  r.get(
    '/teacher/courses/:course/settings',
    ...course,
    wrap(async (req, res) => {
      const data = pageData(req, res);
      render(req, res, 'teacher/settings.njk', { ...data, pathways: await pathwaySettings(courseScope(data.launch), localeOf(req, res)), saved: req.query.saved });
    }),
  );

  r.post(
    '/teacher/courses/:course/settings',
    express.urlencoded({ extended: false, limit: '10kb' }),
    ...course,
    wrap(async (req, res) => {
      const data = pageData(req, res);
      const form = settingsForm.safeParse(req.body);
      if (!form.success) {
        const pathways = await pathwaySettings(courseScope(data.launch), localeOf(req, res));
        const problems = form.error.issues.map((i) => ({ field: String(i.path[0] ?? ''), message: i.message }));
        return render(req, res, 'teacher/settings.njk', { ...data, pathways, problems, posted: req.body }, 400);
      }
      await savePathwaySettings(courseScope(data.launch), form.data);
      res.redirect(303, `${data.base}/settings?ltik=${encodeURIComponent(data.ltik)}&saved=${encodeURIComponent(form.data.pathway)}`);
    }),
  );

  r.get(
    '/teacher/courses/:course/roster',
    ...course,
    wrap(async (req, res) => {
      const data = pageData(req, res);
      render(req, res, 'teacher/roster.njk', { ...data, roster: await courseRoster(data.launch) });
    }),
  );

  r.get(
    '/api/courses/:course/overview',
    ...course,
    wrap(async (req, res) => {
      const launch = res.locals.launch as LaunchContext;
      const [cached, names] = await Promise.all([cachedOverview(courseScope(launch), localeOf(req, res)), rosterNames(launch)]);
      const o = withNames(cached.overview, names);
      res.json({
        asOf: cached.at,
        skills: o.skills,
        learners: o.learners.map((l) => ({ sub: l.sub, name: l.name, lastActive: l.lastActive, mastered: l.mastered, answers: l.answers, cells: l.cells, stuck: l.stuck })),
        activity: o.activity,
        recommendations: o.recommendations,
      });
    }),
  );

  r.get(
    '/api/courses/:course/learners/:sub',
    ...course,
    wrap(async (req, res) => {
      const launch = res.locals.launch as LaunchContext;
      const sub = parse(subParam, req.params.sub, 'learner');
      const detail = await learnerDetail(courseScope(launch), sub, { locale: localeOf(req, res) });
      if (!detail) throw new AppError('NOT_FOUND', 'this learner has no activity in this course');
      res.json({ ...detail, grades: await learnerGrades(launch, sub) });
    }),
  );
  return r;
}
