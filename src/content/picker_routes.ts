import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { LaunchContext } from '../lti/session.js';
import { AppError } from '../web/errors.js';
import { parse } from '../web/validate.js';
import { pageLocale, render } from '../web/views.js';
import { findItem, findPathway, listPathways, listSkills, searchItems } from './catalog.js';
import { contentItem, deepLinkSettings, offersResourceLinks, signDeepLinkingResponse, type Chosen } from './deep_link.js';
import { ITEM_TYPES, type ItemType } from './format.js';
import { pathwayTitle, showItem, skillName } from './localise.js';
import { allowFrameFrom, itemView } from './pages.js';
import { scopeOf } from './player.js';

/** The teacher's Deep Linking picker: search, filter, preview, and the signed return to the LMS. */
type Handler = (req: Request, res: Response) => Promise<void>;
const wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next);
const launchOf = (res: Response) => res.locals.launch as LaunchContext;

const filterSchema = z.object({
  q: z.string().max(200).optional(),
  skill: z.string().max(100).optional(),
  type: z.enum(ITEM_TYPES).or(z.literal('')).optional(),
});

const choiceSchema = z.object({
  ltik: z.string(),
  // "pathway:ID" or "item:ID"
  pick: z.union([z.string(), z.array(z.string())], { errorMap: () => ({ message: 'choose at least one pathway or item' }) }),
});

export function pickerRoutes(r: Router, session: express.RequestHandler[], launchUrl: string): void {
  r.get(
    '/teacher/deep-link',
    ...session,
    wrap(async (req, res) => {
      const launch = launchOf(res);
      const settings = deepLinkSettings(launch);
      const filter = parse(filterSchema, req.query, 'search');
      const scope = scopeOf(launch);
      const locale = pageLocale(req, res);
      const offered = offersResourceLinks(settings);
      const q = filter.q?.toLowerCase().trim();
      const pathways = offered
        ? (await listPathways(scope))
            .filter((p) => (!filter.skill || p.skills.includes(filter.skill)) && !filter.type)
            .map((p) => ({ id: p.id, items: p.items.length, ...pathwayTitle(p, locale) }))
            .filter((p) => !q || `${p.title} ${p.description ?? ''} ${p.id}`.toLowerCase().includes(q))
        : [];
      const items = offered
        ? (await searchItems(scope, { q: filter.q, skill: filter.skill || undefined, type: (filter.type || undefined) as ItemType | undefined })).map((i) => showItem(i, locale))
        : [];
      const skills = (await listSkills(scope)).map((s) => ({ id: s.id, name: skillName(s, locale) }));
      render(req, res, 'teacher/deep_link.njk', { launch, ltik: res.locals.ltik, settings, offered, filter, pathways, items, skills, types: ITEM_TYPES });
    }),
  );

  r.get(
    '/teacher/deep-link/preview/:itemId',
    ...session,
    wrap(async (req, res) => {
      const item = await findItem(scopeOf(launchOf(res)), req.params.itemId);
      if (!item) throw new AppError('NOT_FOUND', 'no item with this id in your course');
      allowFrameFrom(res, item.videoUrl);
      render(req, res, 'teacher/deep_link_preview.njk', { ltik: res.locals.ltik, item: itemView(req, res, item) });
    }),
  );

  r.post(
    '/teacher/deep-link',
    express.urlencoded({ extended: false, limit: '64kb' }),
    ...session,
    wrap(async (req, res) => {
      const launch = launchOf(res);
      const settings = deepLinkSettings(launch);
      if (!offersResourceLinks(settings)) throw new AppError('BAD_REQUEST', 'your LMS does not accept the kind of content Wayfinder offers (LTI resource links)');
      const picks = [parse(choiceSchema, req.body, 'choice').pick].flat();
      if (picks.length > 1 && !settings.acceptMultiple) throw new AppError('BAD_REQUEST', 'your LMS accepts one choice at a time here; choose one');
      const chosen = await Promise.all(picks.map((p) => resolvePick(launch, p, pageLocale(req, res))));
      const items = chosen.map((c) => contentItem(c, launchUrl, settings.acceptLineItem));
      const token = await signDeepLinkingResponse(launch, items, `Added ${chosen.map((c) => c.title).join(', ')}`);
      render(req, res, 'teacher/deep_link_return.njk', { returnUrl: settings.returnUrl, token, chosen });
    }),
  );
}

async function resolvePick(launch: LaunchContext, pick: string, locale: ReturnType<typeof pageLocale>): Promise<Chosen> {
  const [kind, ...rest] = pick.split(':');
  const id = rest.join(':');
  const scope = scopeOf(launch);
  if (kind === 'pathway') {
    const p = await findPathway(scope, id);
    if (p) return { kind, id, ...pathwayTitle(p, locale), text: pathwayTitle(p, locale).description };
  } else if (kind === 'item') {
    const i = await findItem(scope, id);
    if (i) return { kind, id, title: showItem(i, locale).title };
  }
  throw new AppError('NOT_FOUND', `“${pick}” is not a pathway or item of this course any more; reload the list`);
}
