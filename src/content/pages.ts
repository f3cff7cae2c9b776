import type { Request, Response } from 'express';
import { pageLocale } from '../web/views.js';
import type { Item } from './format.js';
import { showItem } from './localise.js';
import { renderInlineMarkdown, renderMarkdown } from './markdown.js';

/**
 * The view model of an item for templates: localised, Markdown rendered and sanitised, and
 * without the answer key (it is simply never copied here).
 */
export function itemView(req: Request, res: Response, item: Item) {
  const shown = showItem(item, pageLocale(req, res));
  return {
    ...shown,
    bodyHtml: renderMarkdown(shown.body),
    hintsHtml: shown.hints.map(renderMarkdown),
    choices: shown.choices.map((c) => ({ id: c.id, html: renderInlineMarkdown(c.text), feedbackHtml: c.feedback ? renderInlineMarkdown(c.feedback) : '' })),
    feedbackHtml: { correct: shown.feedback.correct ? renderMarkdown(shown.feedback.correct) : '', incorrect: shown.feedback.incorrect ? renderMarkdown(shown.feedback.incorrect) : '' },
  };
}

/** Video items are framed from their allow-listed host: widen this page's CSP for that host only. */
export function allowFrameFrom(res: Response, url: string | undefined): void {
  if (!url) return;
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp === 'string') res.setHeader('Content-Security-Policy', `${csp};frame-src ${new URL(url).origin}`);
}
