import type { Request, Response } from 'express';
import { pageLocale } from '../web/views.js';
import { showItem } from './localise.js';
import { unrenderedHtml, type StoredItem } from './rendering.js';

/**
 * The view model of an item for templates: localised, with the HTML rendered and sanitised at
 * import (never parsed here: hostile Markdown must not cost a page view), and without the answer
 * key (it is simply never copied here).
 */
export function itemView(req: Request, res: Response, item: StoredItem) {
  const locale = pageLocale(req, res);
  const shown = showItem(item, locale);
  const html = showItem({ ...item, ...(item.html ?? unrenderedHtml(item)) }, locale);
  return {
    ...shown,
    bodyHtml: html.body,
    hintsHtml: html.hints,
    choices: shown.choices.map((c, i) => ({ id: c.id, html: html.choices[i]?.text ?? '', feedbackHtml: html.choices[i]?.feedback ?? '' })),
    feedbackHtml: { correct: html.feedback.correct ?? '', incorrect: html.feedback.incorrect ?? '' },
  };
}

/** Video items are framed from their allow-listed host: widen this page's CSP for that host only. */
export function allowFrameFrom(res: Response, url: string | undefined): void {
  if (!url) return;
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp === 'string') res.setHeader('Content-Security-Policy', `${csp};frame-src ${new URL(url).origin}`);
}
