import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/**
 * Item bodies, hints and feedback are Markdown from teachers' files. They are rendered to HTML and
 * sanitised with one allow-list: no scripts, no event handlers, no `javascript:`/`data:` links,
 * no frames or forms. Imports use the same allow-list to refuse files with unsafe HTML (so the
 * author learns what would have been dropped) — pages still sanitise, as a second line.
 */
const marked = new Marked({ gfm: true, breaks: false, async: false });

const ALLOWED: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'em', 'strong', 'del', 's',
    'sub', 'sup', 'ul', 'ol', 'li', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'kbd',
  ],
  allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'title'], th: ['align'], td: ['align'], code: ['class'], ol: ['start'] },
  allowedSchemes: ['https', 'http', 'mailto'],
  allowedSchemesByTag: { img: ['https'] },
  allowProtocolRelative: false,
  // Dropped with their content, not just unwrapped.
  nonTextTags: ['script', 'style', 'textarea', 'noscript', 'iframe', 'object', 'embed', 'template', 'svg', 'math'],
  transformTags: {
    // Links leave the LMS iframe and do not hand the tool's window to the target.
    a: sanitizeHtml.simpleTransform('a', { target: '_blank', rel: 'noopener noreferrer' }),
  },
};
// `target`/`rel` are added by the transform above, not accepted from authors.
const FINAL: sanitizeHtml.IOptions = { ...ALLOWED, allowedAttributes: { ...ALLOWED.allowedAttributes, a: ['href', 'title', 'target', 'rel'] } };

export function renderMarkdown(md: string): string {
  return sanitizeHtml(marked.parse(md) as string, FINAL);
}

/** Inline Markdown (choice texts, feedback lines): no paragraphs around it. */
export function renderInlineMarkdown(md: string): string {
  return sanitizeHtml(marked.parseInline(md) as string, FINAL);
}

const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'background', 'poster']);

/** What sanitising would remove from this Markdown as unsafe, one line per problem (empty when safe). */
export function unsafeHtmlIn(md: string): string[] {
  const problems = new Set<string>();
  const allowedTags = ALLOWED.allowedTags as string[];
  sanitizeHtml(marked.parse(md) as string, {
    ...ALLOWED,
    onOpenTag(name, attribs) {
      if (!allowedTags.includes(name)) problems.add(`the HTML tag <${name}> is not allowed`);
      for (const [attr, value] of Object.entries(attribs)) {
        if (/^on/i.test(attr)) problems.add(`the event handler attribute ${attr} on <${name}> is not allowed`);
        else if (attr === 'style') problems.add(`the style attribute on <${name}> is not allowed`);
        else if (URL_ATTRIBUTES.has(attr) && unsafeUrl(value, name)) problems.add(`the URL "${value.slice(0, 60)}" in ${attr} on <${name}> is not allowed (use https)`);
      }
    },
  });
  return [...problems];
}

function unsafeUrl(value: string, tag: string): boolean {
  // Browsers ignore control characters and whitespace inside schemes ("java\tscript:").
  const v = value.replace(/[\s\p{Cc}]/gu, '').toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(v)?.[1];
  if (!scheme) return v.startsWith('//');
  return !(tag === 'img' ? ['https'] : ['https', 'http', 'mailto']).includes(scheme);
}
