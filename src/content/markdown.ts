import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/**
 * Item bodies, hints and feedback are Markdown from teachers' files. They are rendered to HTML and
 * sanitised once, at import, with one allow-list: no scripts, no event handlers, no
 * `javascript:`/`data:` links, no frames or forms. The import refuses files with unsafe HTML (so
 * the author learns what would have been dropped); pages show the stored HTML and never parse.
 */
const marked = new Marked({ gfm: true, breaks: false, async: false });

/** The one HTML allow-list; imports of HTML question banks (formats/richtext.ts) sanitise with it too. */
export const ALLOWED: sanitizeHtml.IOptions = {
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

export interface RenderedField {
  /** Sanitised HTML, ready for a page. */
  html: string;
  /** What sanitising removed as unsafe, one line per problem (empty when the Markdown is safe). */
  problems: string[];
}

const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'background', 'poster']);

/**
 * Renders one Markdown field (`inline`: choice texts and their feedback, no paragraph around it)
 * and sanitises it in the same pass that notes what was unsafe. Costly on hostile input, so it
 * runs at import inside the rendering worker (rendering.ts), never on a request's event loop.
 */
export function renderField(md: string, inline = false): RenderedField {
  const problems = new Set<string>();
  const allowedTags = ALLOWED.allowedTags as string[];
  const html = sanitizeHtml((inline ? marked.parseInline(md) : marked.parse(md)) as string, {
    ...FINAL,
    onOpenTag(name, attribs) {
      if (!allowedTags.includes(name)) problems.add(`the HTML tag <${name}> is not allowed`);
      for (const [attr, value] of Object.entries(attribs)) {
        if (/^on/i.test(attr)) problems.add(`the event handler attribute ${attr} on <${name}> is not allowed`);
        else if (attr === 'style') problems.add(`the style attribute on <${name}> is not allowed`);
        else if (URL_ATTRIBUTES.has(attr) && unsafeUrl(value, name)) problems.add(`the URL "${value.slice(0, 60)}" in ${attr} on <${name}> is not allowed (use https)`);
      }
    },
  });
  return { html, problems: [...problems] };
}

/** Markdown's brackets and quotes may nest this deep; deeper is refused before any parsing. */
export const MAX_NESTING = 64;

/**
 * A linear scan for what makes Markdown parsers slow: brackets left open (`[a](` repeated makes
 * marked take seconds per kilobyte) and deep blockquotes. Undefined when the field is fine.
 */
export function nestingProblem(md: string): string | undefined {
  let open = 0;
  let deepest = 0;
  for (let i = 0; i < md.length; i++) {
    const c = md[i];
    if (c === '\\') i++;
    else if (c === '[' || c === '(') deepest = Math.max(deepest, ++open);
    else if ((c === ']' || c === ')') && open > 0) open--;
  }
  if (deepest > MAX_NESTING) return `brackets nest (or are left open) ${deepest} deep, more than ${MAX_NESTING}: close them, or escape a literal "[" or "(" as "\\[" or "\\("`;
  let quotes = 0;
  for (const line of md.split('\n')) quotes = Math.max(quotes, /^[ \t>]*/.exec(line)![0].split('>').length - 1);
  if (quotes > MAX_NESTING) return `blockquotes nest ${quotes} deep, more than ${MAX_NESTING}`;
  return undefined;
}

function unsafeUrl(value: string, tag: string): boolean {
  // Browsers ignore control characters and whitespace inside schemes ("java\tscript:").
  const v = value.replace(/[\s\p{Cc}]/gu, '').toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(v)?.[1];
  if (!scheme) return v.startsWith('//');
  return !(tag === 'img' ? ['https'] : ['https', 'http', 'mailto']).includes(scheme);
}
