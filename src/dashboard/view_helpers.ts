import type { Request, Response } from 'express';
import { pageLocale } from '../web/views.js';
import type { Locale } from '../web/i18n.js';

/** Formatting the dashboard templates share: dates in the page's language, UTC as statements are stored. */
export function formatters(locale: Locale) {
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  return {
    dateTime: (d: Date | string | undefined) => (d ? dateTime.format(new Date(d)) : ''),
    date: (d: Date | string | undefined) => (d ? date.format(new Date(d)) : ''),
    pct: (share: number | undefined) => (share === undefined ? '' : `${Math.round(share * 100)}%`),
  };
}

export const localeOf = (req: Request, res: Response): Locale => pageLocale(req, res);
