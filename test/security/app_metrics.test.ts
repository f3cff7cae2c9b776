// Issue 14, finding 13 (Low) — /metrics was public and its `reason` label took any text (a series
// per distinct refusal message). Now /metrics needs METRICS_TOKEN on the main port, or is served
// only on an internal listener (METRICS_PORT), and every label comes from a fixed set.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, test } from 'node:test';
import request from 'supertest';
import { recordLaunchFailure } from '../../src/lti/launch_failures.js';
import { LAUNCH_REASONS } from '../../src/web/metrics.js';
import { startTestTool, TEST_ADMIN_TOKEN, TEST_METRICS_TOKEN, metricsText, type TestTool } from '../support/tool.js';

// One tool at a time (one database connection per process): each test starts its own and closes it.
let tool: TestTool | undefined;
afterEach(async () => {
  await tool?.close();
  tool = undefined;
});
const start = async (env: Record<string, string>) => (tool = await startTestTool({ LABEL: 'app_metrics', ...env }));

describe('finding 13: /metrics is not public and its labels are bounded', () => {
  test('with METRICS_TOKEN: no token, a wrong one or the admin token is 401; the metrics token reads it', async () => {
    const tool = await start({});
    for (const auth of [undefined, 'Bearer nope', `Bearer ${TEST_ADMIN_TOKEN}`, TEST_METRICS_TOKEN]) {
      const r = request(tool.url).get('/metrics');
      const res = await (auth ? r.set('Authorization', auth) : r);
      assert.equal(res.status, 401, `${auth}: ${res.text.slice(0, 200)}`);
      assert.doesNotMatch(res.text, /wayfinder_/);
    }
    const ok = await request(tool.url).get('/metrics').set('Authorization', `Bearer ${TEST_METRICS_TOKEN}`);
    assert.equal(ok.status, 200);
    assert.match(ok.text, /wayfinder_http_requests_total/);
  });

  test('with neither setting there is no /metrics', async () => {
    const tool = await start({ METRICS_TOKEN: '' });
    const res = await request(tool.url).get('/metrics').set('Authorization', `Bearer ${TEST_METRICS_TOKEN}`);
    assert.equal(res.status, 404);
  });

  test('with METRICS_PORT: only the internal listener (loopback) serves it', async () => {
    const tool = await start({ METRICS_TOKEN: '', METRICS_PORT: '0' });
    assert.equal((await request(tool.url).get('/metrics')).status, 404, 'not on the public port');
    assert.ok(tool.metricsUrl?.startsWith('http://127.0.0.1:'), tool.metricsUrl);
    const res = await fetch(`${tool.metricsUrl}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /wayfinder_launches_total|wayfinder_http_requests_total/);
    assert.equal((await fetch(`${tool.metricsUrl}/api/admin/platforms`)).status, 404, 'nothing else is served there');
  });

  test('a flood of distinct refusal reasons and raw paths adds no series', async () => {
    const tool = await start({});
    // Refusal texts that carry request content, as ltijs's messages can …
    for (let i = 0; i < 200; i++) await recordLaunchFailure(`JWT_MALFORMED_${randomUUID()}`, 'attacker text');
    // … real refused launches, and requests to paths no route knows.
    for (let i = 0; i < 20; i++) {
      await request(tool.url).post('/lti/launch').type('form').send({ id_token: `x.${randomUUID()}.y`, state: randomUUID() });
      await request(tool.url).get(`/nowhere/${randomUUID()}`);
    }
    const text = await metricsText(tool.url);
    const reasons = new Set([...text.matchAll(/wayfinder_launches_total\{outcome="\w+",reason="([^"]*)"\}/g)].map((m) => m[1]));
    assert.ok(reasons.has('OTHER'), [...reasons].join(', '));
    assert.ok(reasons.has('ID_TOKEN_MALFORMED'), [...reasons].join(', '));
    for (const r of reasons) assert.ok(r === 'OTHER' || LAUNCH_REASONS.has(r), `unbounded reason ${r}`);
    const routes = new Set([...text.matchAll(/wayfinder_http_requests_total\{[^}]*route="([^"]*)"/g)].map((m) => m[1]));
    for (const r of routes) assert.doesNotMatch(r, /nowhere|[0-9a-f]{8}-/, `a raw path became a route label: ${r}`);
  });
});
