import sanitizeHtml from 'sanitize-html';
import { ALLOWED } from '../markdown.js';

/**
 * Question banks carry HTML (Moodle, Canvas) or Moodle's other text formats; Wayfinder stores
 * Markdown. Each text is sanitised with Wayfinder's one allow-list and kept as HTML inside the
 * Markdown: a body becomes one HTML block (a single line, so Markdown leaves it alone), a choice
 * inline HTML with Markdown's own characters escaped. Images the file embeds (`@@PLUGINFILE@@`,
 * zip resources) are replaced by their alt text, with a warning: only https images are kept.
 */
export type TextFormat = 'html' | 'moodle_auto_format' | 'plain_text' | 'markdown';

export interface TextOptions {
  format?: TextFormat;
  warn: (message: string) => void;
}

const UNSAFE_TAGS = new Set(['script', 'style', 'iframe', 'object', 'embed', 'form', 'input', 'button', 'textarea', 'svg', 'math']);

function toHtml(text: string, format: Exclude<TextFormat, 'markdown'>): string {
  switch (format) {
    case 'plain_text':
      return escapeHtml(text).replace(/\r?\n/g, '<br>');
    case 'moodle_auto_format':
      // Moodle's auto-format: HTML as written, line breaks kept.
      return /<[a-z][^>]*>/i.test(text) ? text : text.replace(/\r?\n/g, '<br>');
    default:
      return text;
  }
}

/** Sanitised HTML, images outside https replaced by their alt text, what was removed reported. */
export function sanitise(text: string, o: TextOptions): string {
  const removed = new Set<string>();
  const images: string[] = [];
  const format = o.format === 'markdown' || !o.format ? 'html' : o.format;
  const html = sanitizeHtml(toHtml(text, format), {
    ...ALLOWED,
    onOpenTag(name, attribs) {
      if (UNSAFE_TAGS.has(name)) removed.add(`<${name}>`);
      for (const attr of Object.keys(attribs)) if (/^on/i.test(attr)) removed.add(`the ${attr} attribute`);
      if ((attribs.href ?? '').replace(/\s/g, '').toLowerCase().startsWith('javascript:')) removed.add('a javascript: link');
    },
    transformTags: {
      ...ALLOWED.transformTags,
      img: (_tag, attribs) => {
        const src = attribs.src ?? '';
        if (/^https:\/\//i.test(src)) return { tagName: 'img', attribs };
        const alt = (attribs.alt ?? '').trim();
        images.push(alt ? `"${alt}"` : `(${decodeURIComponent(src.split('/').pop() ?? 'no name').slice(0, 80)})`);
        return { tagName: 'span', attribs: {}, text: alt ? `[${alt}]` : '' };
      },
    },
  });
  for (const img of images) o.warn(`an image ${img} was replaced by its alt text: Wayfinder shows only images on https addresses`);
  if (removed.size) o.warn(`unsafe HTML was removed: ${[...removed].join(', ')}`);
  return html.trim();
}

/**
 * A body, hint or feedback: one line of HTML that Markdown passes through as it is. Text the source
 * wrote in Markdown stays Markdown: the import renders it (time-boxed, off the event loop) like
 * any other, and refuses unsafe HTML in it, naming the question.
 */
export function richBlock(text: string | undefined, o: TextOptions): string {
  if (!text?.trim()) return '';
  if (o.format === 'markdown') return text.trim();
  const html = sanitise(text, o)
    .replace(/<pre>([\s\S]*?)<\/pre>/g, (_m, inner: string) => `<pre>${inner.replace(/\r?\n/g, '<br>')}</pre>`)
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  if (!html) return '';
  return /^<(p|ul|ol|h[2-6]|blockquote|pre|table|hr)[\s>/]/i.test(html) ? html : `<p>${html}</p>`;
}

/** A choice's text: inline HTML, paragraphs flattened, Markdown's characters escaped in the text. */
export function richInline(text: string, o: TextOptions): string {
  if (o.format === 'markdown') return text.replace(/\s*\n\s*/g, ' ').trim();
  const html = sanitise(text, o)
    .replace(/<\/p>\s*<p>/g, '<br>')
    .replace(/<\/?p>/g, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  return html
    .split(/(<[^>]*>)/)
    .map((part, i) => (i % 2 ? part : part.replace(/[\\`*_[\]~!|]/g, '\\$&')))
    .join('');
}

/** Text without markup (names, tags, short answers), entities decoded, spaces collapsed. */
export function plainText(text: string): string {
  const stripped = sanitizeHtml(text, { allowedTags: [], allowedAttributes: {} });
  return decodeEntities(stripped).replace(/\s+/g, ' ').trim();
}

function decodeEntities(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' })[e]!);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
