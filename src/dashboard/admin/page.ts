import type { Request, Response } from 'express';
import { matchLocale } from '../../web/i18n.js';
import { render } from '../../web/views.js';
import { formatters, localeOf } from '../view_helpers.js';
import type { Principal } from './auth.js';

const queryLang = (req: Request) => matchLocale(typeof req.query.lang === 'string' ? req.query.lang : undefined);

/**
 * Rendering an admin page: every link and form action keeps the language chosen with `?lang=`
 * and, for an LMS administrator, the launch's ltik (there is no cookie inside an LMS iframe).
 */
export function adminPage(req: Request, res: Response, view: string, data: Record<string, unknown> = {}, status = 200): void {
  const admin = res.locals.admin as Principal | undefined;
  const lang = queryLang(req);
  const keep = { ...(admin?.kind === 'lti' ? { ltik: admin.ltik } : {}), ...(lang ? { lang } : {}) };
  const link = (path: string, extra: Record<string, string> = {}) => {
    const q = new URLSearchParams({ ...keep, ...extra }).toString();
    return q ? `${path}${path.includes('?') ? '&' : '?'}${q}` : path;
  };
  /** The current page in another language (the switch in the header). */
  const inLang = (l: string) => {
    const u = new URL(req.originalUrl, 'http://x');
    u.searchParams.set('lang', l);
    if (admin?.kind === 'lti') u.searchParams.set('ltik', admin.ltik);
    return `${u.pathname}?${u.searchParams.toString()}`;
  };
  render(req, res, view, { ...data, admin, keep, link, inLang, f: formatters(localeOf(req, res)) }, status);
}

/** After a form post: back to a page with a one-line notice key, keeping ltik and language. */
export function redirectWith(req: Request, res: Response, path: string, notice: string): void {
  const admin = res.locals.admin as Principal | undefined;
  const q = new URLSearchParams({ notice });
  const lang = queryLang(req);
  if (lang) q.set('lang', lang);
  if (admin?.kind === 'lti') q.set('ltik', admin.ltik);
  res.redirect(303, `${path}?${q.toString()}`);
}
