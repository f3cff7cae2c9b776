// Issue 14, finding 10 — issuer squatting through redirects: the same-origin check looked at the
// URL as given while the fetch followed redirects, so an open redirect on the real LMS's origin
// let an anonymous caller register that issuer (pending) with their own key set, and the real
// registration then got 409.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { startTestLms, type DevLms } from '../support/lms.js';
import { json, startInternalService, type InternalService } from '../support/internal_service.js';
import { startTestTool, TEST_ADMIN_TOKEN, type TestTool } from '../support/tool.js';

let tool: TestTool;
let lms: DevLms;
let front: InternalService;
let evil: InternalService;

before(async () => {
  tool = await startTestTool({ LABEL: 'sec-squat' });
  // The real LMS's origin: its issuer and configuration URL, plus an open redirect (`/go?to=`),
  // as many real sites have one. Everything else is the dev LMS behind it.
  front = await startInternalService((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/go') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
      return;
    }
    fetch(`${lms.url}${req.url}`, { headers: req.headers.authorization ? { authorization: req.headers.authorization } : {} })
      .then(async (r) => res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' }).end(await r.text()))
      .catch(() => res.writeHead(502).end());
  });
  lms = await startTestLms(tool.url, { issuer: front.url });
  // The attacker's server: a configuration claiming the real LMS's issuer, with the attacker's key set.
  evil = await startInternalService((req, res) => {
    if (req.url?.startsWith('/register')) return json(200, { client_id: 'squatter', [`https://purl.imsglobal.org/spec/lti-tool-configuration`]: { deployment_id: '1' } })(req, res);
    json(200, {
      issuer: front.url,
      authorization_endpoint: `${evil.url}/auth`,
      token_endpoint: `${evil.url}/token`,
      jwks_uri: `${evil.url}/jwks`,
      registration_endpoint: `${evil.url}/register`,
    })(req, res);
  });
});
after(async () => {
  await lms.stop();
  await Promise.all([front.close(), evil.close()]);
  await tool.close();
});

const platformsOf = async (issuer: string) => {
  const list = await request(tool.url).get('/api/admin/platforms').set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
  return (list.body.platforms as { issuer: string; clientId: string; status: string; jwksUrl: string }[]).filter((p) => p.issuer === issuer);
};

describe('finding 10: issuer squatting through an open redirect on the LMS origin', () => {
  test('the redirect is not followed: nothing is registered and the attacker is never asked', async () => {
    const through = `${front.url}/go?to=${encodeURIComponent(`${evil.url}/openid-configuration`)}`;
    const r = await request(tool.url).get(`/lti/register?openid_configuration=${encodeURIComponent(through)}`).set('Accept', 'application/json');
    assert.equal(r.status, 502);
    assert.match(r.body.error.message, /answered with a redirect \(HTTP 302\)/);
    assert.equal(evil.hits.length, 0, 'the attacker’s configuration was never fetched');
    assert.deepEqual(await platformsOf(front.url), []);
  });

  test('the attacker’s configuration given directly is refused: it is not on the issuer’s origin', async () => {
    const r = await request(tool.url).get(`/lti/register?openid_configuration=${encodeURIComponent(`${evil.url}/openid-configuration`)}`).set('Accept', 'application/json');
    assert.equal(r.status, 502);
    assert.match(r.body.error.message, /not on the issuer’s origin/);
    assert.ok(!evil.hits.some((h) => h.url.startsWith('/register')), 'no registration was posted to the attacker');
    assert.deepEqual(await platformsOf(front.url), []);
  });

  test('the real registration then succeeds (no 409), with the real LMS’s key set', async () => {
    const config = `${front.url}/.well-known/openid-configuration`;
    const r = await request(tool.url).get(`/lti/register?openid_configuration=${encodeURIComponent(config)}&registration_token=${encodeURIComponent(lms.registrationToken())}`);
    assert.equal(r.status, 200, r.text);
    const [p] = await platformsOf(front.url);
    assert.equal(p.clientId, lms.tools().at(-1)!.clientId);
    assert.equal(p.jwksUrl, lms.jwksUrl);
    assert.equal(p.status, 'pending');
  });
});
