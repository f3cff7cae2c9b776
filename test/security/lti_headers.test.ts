import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startToolAndLms, TEST_CLIENT_ID, type ToolAndLms } from '../support/lti.js';
import { TEST_ADMIN_TOKEN } from '../support/tool.js';

let env: ToolAndLms;
before(async () => {
  env = await startToolAndLms({ LABEL: 'sec_headers' });
});
after(async () => env.close());

const EVIL = 'https://evil.example';
const frameAncestors = (r: Response) => /frame-ancestors ([^;]+)/.exec(r.headers.get('content-security-policy') ?? '')?.[1];

describe('finding 15: ltijs’s CORS no longer reflects any origin with credentials on /lti/*', () => {
  test('a script on another site gets no CORS grant from /lti/keys, /lti/login or a /lti/launch preflight', async () => {
    const login = `${env.tool.url}/lti/login?${new URLSearchParams({ iss: env.lms.issuer, client_id: TEST_CLIENT_ID, login_hint: 'x', target_link_uri: `${env.tool.url}/lti/launch` })}`;
    const answers = [
      await fetch(`${env.tool.url}/lti/keys`, { headers: { origin: EVIL } }),
      await fetch(login, { headers: { origin: EVIL }, redirect: 'manual' }),
      await fetch(`${env.tool.url}/lti/launch`, { method: 'OPTIONS', headers: { origin: EVIL, 'access-control-request-method': 'POST' } }),
    ];
    for (const r of answers) {
      assert.equal(r.headers.get('access-control-allow-origin'), null, r.url);
      assert.equal(r.headers.get('access-control-allow-credentials'), null, r.url);
    }
    assert.equal(answers[0].status, 200, 'the key set still answers (platforms fetch it server-side)');
    assert.equal(answers[1].status, 302, 'the login still redirects to the platform');
    assert.equal(answers[2].status, 405);
  });
});

describe('finding 18 (first half): only LTI pages may be framed by any site, never the operator console', () => {
  test('the sign-in page and the signed-in operator console: frame-ancestors none', async () => {
    assert.equal(frameAncestors(await fetch(`${env.tool.url}/admin/sign-in`)), "'none'");
    const signIn = await fetch(`${env.tool.url}/admin/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TEST_ADMIN_TOKEN, next: '/admin/platforms' }),
    });
    assert.equal(signIn.status, 303);
    const cookie = signIn.headers.getSetCookie()[0].split(';')[0];
    const console = await fetch(`${env.tool.url}/admin/platforms`, { headers: { cookie } });
    assert.equal(console.status, 200);
    assert.equal(frameAncestors(console), "'none'");
  });

  test('pages an LMS frames still allow any ancestor: student, teacher, LMS admin, launch pages', async () => {
    for (const role of ['student', 'teacher', 'admin'] as const) {
      const r = await env.launchAs({ clientId: TEST_CLIENT_ID, role });
      assert.equal(r.status, 200);
      const page = await fetch(r.url);
      assert.equal(frameAncestors(page), '*', `${role}: ${r.url}`);
    }
    const storageLogin = await fetch(`${env.tool.url}/lti/login?${new URLSearchParams({ iss: env.lms.issuer, client_id: TEST_CLIENT_ID, login_hint: 'x', target_link_uri: `${env.tool.url}/lti/launch`, lti_storage_target: '_parent' })}`);
    assert.equal(storageLogin.status, 200);
    assert.equal(frameAncestors(storageLogin), '*');
  });
});
