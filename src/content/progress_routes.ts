import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { isPreview, type HistoryEntry } from '../activity/index.js';
import type { LaunchContext } from '../lti/session.js';
import { AppError } from '../web/errors.js';
import { parse } from '../web/validate.js';
import { pageLocale, render } from '../web/views.js';
import { showItem } from './localise.js';
import { nextUp } from './next_up.js';
import { launchTarget, scopeOf } from './player.js';
import { learnerProgress } from './progress.js';
import { progressChart } from './progress_chart.js';
import { libraryFor } from './store.js';

/**
 * `/student/progress`: the launched learner's own progress. Teachers of the course may add
 * `?sub=` to see a learner's page; a student asking for anyone else gets 403, whatever the id.
 */
const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next);

const querySchema = z.object({
  ltik: z.string().optional(),
  lang: z.string().optional(),
  sub: z.string().min(1, 'must name a learner').max(255, 'is at most 255 characters').optional(),
});

type Reason = { key: string; params?: Record<string, string | number> };

/** The latest recommendation shown to a learner, as the policy recorded it (for a teacher's view). */
function lastShown(history: HistoryEntry[]): { itemId: string; reason?: Reason } | undefined {
  const shown = history.filter((s) => s.verb === 'recommendation-shown').at(-1);
  if (!shown) return undefined;
  const reason = shown.context.extensions?.reason as Reason | undefined;
  return { itemId: shown.object.id, ...(reason && typeof reason.key === 'string' ? { reason } : {}) };
}

export function progressRoutes(r: Router, session: RequestHandler[]): void {
  r.get(
    '/student/progress',
    ...session,
    wrap(async (req, res) => {
      const launch = res.locals.launch as LaunchContext;
      const { sub } = parse(querySchema, req.query, 'query');
      const learner = sub ?? launch.sub;
      const own = learner === launch.sub;
      if (!own && launch.role === 'student') {
        throw new AppError('FORBIDDEN', 'you can see only your own progress: open Wayfinder from your course to see yours');
      }
      const locale = pageLocale(req, res);
      const scope = { tenantId: launch.tenantId, courseId: launch.courseId };
      const [target, lib] = await Promise.all([launchTarget(launch), libraryFor(scopeOf(launch))]);
      const pathway = target.kind === 'pathway' ? target.pathway : undefined;
      const { progress, history } = await learnerProgress(scope, learner, { lib, pathway, locale, includePreview: own && isPreview(launch) });
      if (!own && history.length === 0) throw new AppError('NOT_FOUND', 'this learner has no activity in this course yet');
      // The learner's own page asks the policy (and so shows a fresh recommendation); a teacher sees the last one shown.
      const next = own ? (pathway ? await nextUp(launch, pathway) : null) : lastShown(history);
      const nextItem = next && lib.items.get(next.itemId);
      const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
      render(req, res, 'student/progress.njk', {
        launch,
        ltik: res.locals.ltik,
        own,
        preview: own && isPreview(launch),
        learner,
        progress,
        chart: progressChart(progress.skills),
        recent: progress.recent.map((a) => ({ ...a, when: dateTime.format(a.at) })),
        pathway: pathway && { id: pathway.id },
        next: nextItem && {
          itemId: nextItem.id,
          title: showItem(nextItem, locale).title,
          reason: next.reason,
          recommendationId: 'recommendationId' in next ? next.recommendationId : undefined,
        },
      });
    }),
  );
}
