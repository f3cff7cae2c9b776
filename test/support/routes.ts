import type { Express } from 'express';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  name: string;
  regexp: RegExp & { fast_slash?: boolean };
  handle: { stack?: Layer[] };
}

/** The mount prefix express 4 compiled into a router layer's regexp, e.g. `/api/admin`. */
function prefixOf(layer: Layer): string {
  if (layer.regexp.fast_slash) return '';
  const m = /^\^((?:\\\/[\w.-]+)*)\\\/\?\(\?=\\\/\|\$\)/.exec(layer.regexp.source);
  return m ? m[1].replace(/\\\//g, '/') : '';
}

/** Every `METHOD /path` the app can answer, with `:param` written as `{param}` like OpenAPI. */
export function listRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          out.push(`${method.toUpperCase()} ${(prefix + layer.route.path).replace(/:(\w+)/g, '{$1}')}`);
        }
      } else if (layer.name === 'router' && layer.handle.stack) {
        walk(layer.handle.stack, prefix + prefixOf(layer));
      }
    }
  };
  walk((app as unknown as { _router: { stack: Layer[] } })._router.stack, '');
  return out;
}
