import nunjucks from 'nunjucks';
import { fileURLToPath } from 'node:url';
import type { Response } from 'express';

// The dev LMS has its own template environment so it never depends on how the tool sets up views.
const viewsDir = fileURLToPath(new URL('../../views', import.meta.url));
const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(viewsDir, { noCache: true }), {
  autoescape: true,
});

export function render(res: Response, view: string, ctx: Record<string, unknown>, status = 200): void {
  res
    .status(status)
    .type('html')
    .set('Cache-Control', 'no-store')
    .send(env.render(`devlms/${view}.njk`, ctx));
}

export function renderError(res: Response, status: number, title: string, message: string): void {
  render(res, 'error', { title, message }, status);
}
