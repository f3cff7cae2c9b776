import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nestingProblem, renderField } from '../../../src/content/markdown.js';

const renderMarkdown = (md: string) => renderField(md).html;
const renderInlineMarkdown = (md: string) => renderField(md, true).html;
const unsafeHtmlIn = (md: string) => renderField(md).problems;

/** Payloads in the spirit of the OWASP XSS filter evasion cheat sheet, as Markdown or raw HTML. */
const PAYLOADS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<IMG SRC="javascript:alert(1)">',
  '<img src="jav&#x09;ascript:alert(1)">',
  '<img """><script>alert(1)</script>">',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<body onload=alert(1)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
  '<a href=" javascript:alert(1)">x</a>',
  '<a href="vbscript:msgbox(1)">x</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  '[click](javascript:alert(1))',
  '[click](JAVASCRIPT:alert(1))',
  '![x](javascript:alert(1))',
  '[x](data:text/html,<script>alert(1)</script>)',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<p onclick="alert(1)">x</p>',
  '<details open ontoggle=alert(1)>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<form action="javascript:alert(1)"><input type=submit></form>',
  '<button formaction="javascript:alert(1)">x</button>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<link rel=stylesheet href="javascript:alert(1)">',
  '<style>@import "javascript:alert(1)";</style>',
  '<input autofocus onfocus=alert(1)>',
  '<video><source onerror="alert(1)"></video>',
  '<a href="//evil.example">x</a>',
  '<template><script>alert(1)</script></template>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
];

const DANGEROUS = [
  /<script/i,
  /\son\w+\s*=/i,
  /javascript:/i,
  /vbscript:/i,
  /data:text\/html/i,
  /<(iframe|object|embed|form|input|button|meta|base|link|style|svg|math|template|body)\b/i,
  /href="\/\//i,
  /style=/i,
];

describe('rendered Markdown never carries script', () => {
  for (const payload of PAYLOADS) {
    test(payload, () => {
      for (const html of [renderMarkdown(payload), renderInlineMarkdown(payload), renderMarkdown(`Intro\n\n${payload}\n\nOutro`)]) {
        for (const bad of DANGEROUS) assert.doesNotMatch(html, bad, `output: ${html}`);
      }
    });
  }
});

describe('imports report unsafe HTML', () => {
  for (const payload of PAYLOADS) {
    test(payload, () => assert.ok(unsafeHtmlIn(payload).length > 0, 'no problem reported'));
  }

  test('ordinary Markdown is safe and keeps its formatting', () => {
    const md = '## Fractions\n\nWhat is **1/2** of *8*? See [the guide](https://example.org/guide).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n`x = 3`\n\n![pie](https://example.org/pie.png)';
    assert.deepEqual(unsafeHtmlIn(md), []);
    const html = renderMarkdown(md);
    assert.match(html, /<h2>Fractions<\/h2>/);
    assert.match(html, /<strong>1\/2<\/strong>/);
    assert.match(html, /<a href="https:\/\/example.org\/guide" target="_blank" rel="noopener noreferrer">/);
    assert.match(html, /<table>/);
    assert.match(html, /<img src="https:\/\/example.org\/pie.png" alt="pie" \/>/);
  });

  test('Chinese text passes through untouched', () => {
    assert.equal(renderMarkdown('二分之一加上四分之一等于多少？'), '<p>二分之一加上四分之一等于多少？</p>\n');
  });
});

describe('nesting is refused before parsing (issue 14, finding 4)', () => {
  test("'[a](' repeated, and deep blockquotes", () => {
    assert.match(nestingProblem('[a]('.repeat(1500)) ?? '', /brackets nest \(or are left open\) 1500 deep, more than 64/);
    assert.match(nestingProblem('>'.repeat(100) + ' deep') ?? '', /blockquotes nest 100 deep/);
  });

  test('ordinary Markdown, escaped brackets and many closed links pass', () => {
    assert.equal(nestingProblem('See [a](https://x.example/(1)) and \\('.repeat(200) + '\n> quoted\n>> twice'), undefined);
    assert.equal(nestingProblem('[x](y) '.repeat(5000)), undefined);
  });
});
