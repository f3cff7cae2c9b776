import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { isPreview } from '../activity/index.js';
import type { LaunchContext } from '../lti/session.js';
import { AppError } from '../web/errors.js';
import { parse } from '../web/validate.js';
import { pageLocale, render } from '../web/views.js';
import type { Item, Pathway } from './format.js';
import { pathwayTitle } from './localise.js';
import { itemsDone, nextUp, type NextUp } from './next_up.js';
import { allowFrameFrom, itemView } from './pages.js';
import { libraryFor, type Library } from './store.js';
import { recordFollowed } from '../recommend/index.js';
import { launchTarget, progressIn, recordViewed, scopeOf, submitAnswer, type AnswerResult } from './player.js';
import type { Response as LearnerResponse } from './scoring.js';

/** The student player: the launch's landing page, item pages and answer checking. */
type Handler = (req: Request, res: Response) => Promise<void>;
const wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next);

const launchOf = (res: Response) => res.locals.launch as LaunchContext;

const answerSchema = z.object({
  ltik: z.string(),
  pathway: z.string().max(100).optional(),
  choice: z.union([z.string(), z.array(z.string())]).optional(),
  text: z.string().max(2000, 'answers are at most 2000 characters').optional(),
  done: z.literal('1').optional(),
  shownAt: z.coerce.number().optional(),
  rec: z.string().max(200).optional(),
});

function nextUpView(req: Request, res: Response, lib: Library, next: NextUp | null) {
  const item = next && lib.items.get(next.itemId);
  return item ? { item: itemView(req, res, item), reason: next.reason, recommendationId: next.recommendationId } : null;
}

function pathwayView(req: Request, res: Response, pathway: Pathway) {
  return { id: pathway.id, ...pathwayTitle(pathway, pageLocale(req, res)) };
}

async function itemPage(req: Request, res: Response, lib: Library, item: Item, pathway: Pathway | undefined, answer?: { result: AnswerResult; response: LearnerResponse }) {
  const launch = launchOf(res);
  allowFrameFrom(res, item.videoUrl);
  const next = answer ? answer.result.next : pathway ? await nextUp(launch, pathway, { after: item.id }) : null;
  render(req, res, 'student/item.njk', {
    launch,
    ltik: res.locals.ltik,
    preview: isPreview(launch),
    item: itemView(req, res, item),
    pathway: pathway && pathwayView(req, res, pathway),
    progress: answer?.result.progress,
    shownAt: Date.now(),
    outcome: answer?.result.outcome,
    response: answer?.response,
    nextUp: pathway ? nextUpView(req, res, lib, next) : null,
    rec: typeof req.query.rec === 'string' ? req.query.rec : undefined,
  });
}

export function playerRoutes(r: Router, session: express.RequestHandler[]): void {
  r.get(
    '/student',
    ...session,
    wrap(async (req, res) => {
      const launch = launchOf(res);
      const target = await launchTarget(launch);
      const lib = await libraryFor(scopeOf(launch));
      if (target.kind === 'item') return itemPage(req, res, lib, target.item, undefined);
      if (target.kind === 'missing') return render(req, res, 'student/missing.njk', { launch, target }, 404);
      const preview = { preview: isPreview(launch), previewReset: typeof req.query.reset === 'string' ? Number(req.query.reset) || 0 : null };
      if (target.kind === 'empty') return render(req, res, 'student/home.njk', { launch, ltik: res.locals.ltik, ...preview });
      const done = await itemsDone(launch);
      const next = await nextUp(launch, target.pathway, { done });
      render(req, res, 'student/home.njk', {
        launch,
        ltik: res.locals.ltik,
        ...preview,
        pathway: pathwayView(req, res, target.pathway),
        progress: progressIn(target.pathway, done),
        nextUp: nextUpView(req, res, lib, next),
      });
    }),
  );

  /** The item, optionally inside a pathway (`?pathway=`), as the learner's course sees it: one library read per request. */
  async function load(req: Request, res: Response, pathwayId: unknown) {
    const lib = await libraryFor(scopeOf(launchOf(res)));
    const item = lib.items.get(req.params.itemId);
    if (!item) throw new AppError('NOT_FOUND', 'this item is not in your course (it may have been removed); go back to your course and open Wayfinder again');
    const pathway = typeof pathwayId === 'string' ? lib.pathways.get(pathwayId) : undefined;
    return { lib, item, pathway: pathway?.items.includes(item.id) ? pathway : undefined };
  }

  r.get(
    '/student/items/:itemId',
    ...session,
    wrap(async (req, res) => {
      const { lib, item, pathway } = await load(req, res, req.query.pathway);
      await recordViewed(launchOf(res), item, pathway);
      // Opened from "Next up": the recommendation was followed.
      if (typeof req.query.rec === 'string' && req.query.rec.length <= 200) await recordFollowed(launchOf(res), item.id, req.query.rec);
      await itemPage(req, res, lib, item, pathway);
    }),
  );

  r.post(
    '/student/items/:itemId/answer',
    express.urlencoded({ extended: false, limit: '32kb' }),
    ...session,
    wrap(async (req, res) => {
      const body = parse(answerSchema, req.body, 'answer');
      const { lib, item, pathway } = await load(req, res, body.pathway);
      const response: LearnerResponse = body.done ? { done: true } : body.choice !== undefined ? { choices: [body.choice].flat() } : { text: body.text ?? '' };
      const result = await submitAnswer(launchOf(res), item, response, { pathway, shownAt: body.shownAt, recommendationId: body.rec });
      await itemPage(req, res, lib, item, pathway, { result, response });
    }),
  );
}
