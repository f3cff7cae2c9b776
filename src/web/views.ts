import nunjucks from 'nunjucks';
import { fileURLToPath } from 'node:url';
import type { Request, Response } from 'express';
import { localeFromAcceptLanguage, matchLocale, translate, type Locale } from './i18n.js';

/** Server-rendered pages: nunjucks with autoescaping on, so every interpolated value is escaped. */
const viewsDir = fileURLToPath(new URL('../../views', import.meta.url));
export const templates = new nunjucks.Environment(new nunjucks.FileSystemLoader(viewsDir, { noCache: false }), {
  autoescape: true,
  throwOnUndefined: false,
});

/** The page's locale: launch first, then the browser's Accept-Language, then English. */
export function pageLocale(req: Request, res: Response): Locale {
  const fromQuery = matchLocale(typeof req.query.lang === 'string' ? req.query.lang : undefined);
  const fromLaunch = matchLocale((res.locals.launch as { locale?: string } | undefined)?.locale);
  return fromQuery ?? fromLaunch ?? localeFromAcceptLanguage(req.headers['accept-language']) ?? 'en';
}

export function render(req: Request, res: Response, view: string, data: Record<string, unknown> = {}, status = 200): void {
  const locale = pageLocale(req, res);
  const t = (key: string, params?: Record<string, string | number>) => translate(locale, key, params);
  const html = templates.render(view, { ...data, locale, t, requestId: res.locals.requestId });
  res.status(status).type('html').send(html);
}
