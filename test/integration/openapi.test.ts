import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { createApp } from '../../src/app.js';
import { listRoutes } from '../support/routes.js';
import { startTestTool, type TestTool } from '../support/tool.js';

let tool: TestTool;
before(async () => {
  tool = await startTestTool({ LABEL: 'openapi' });
});
after(async () => tool.close());

test('every mounted /api route is described in openapi.yaml', () => {
  const spec = parse(readFileSync('openapi.yaml', 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  const documented = new Set(
    Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k))
        .map((m) => `${m.toUpperCase()} ${path}`),
    ),
  );
  const mounted = listRoutes(createApp(tool.config)).filter((r) => r.split(' ')[1].startsWith('/api/'));
  assert.ok(mounted.length >= 7, `found only ${mounted.length} /api routes: the route walker is broken`);
  const missing = mounted.filter((r) => !documented.has(r));
  assert.deepEqual(missing, [], `routes missing from openapi.yaml: ${missing.join(', ')}`);
});
