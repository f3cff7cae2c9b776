import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CookieJar, type LaunchOptions } from '../../src/devlms/index.js';
import { countDocs, startToolAndLms, TEST_CLIENT_ID, type ToolAndLms } from '../support/lti.js';
import { metricsText } from '../support/tool.js';

let env: ToolAndLms;
before(async () => {
  env = await startToolAndLms({ LABEL: 'launch' });
});
after(async () => env.close());

describe('happy path for each role', () => {
  const cases: [LaunchOptions['role'], string, RegExp][] = [
    ['student', '/student', /Your practice/],
    ['teacher', '/teacher', /Course overview/],
    ['admin', '/admin', /Administration/],
  ];
  for (const [role, path, heading] of cases) {
    test(`${role}: login initiation → id_token POST → ${path}`, async () => {
      const r = await env.launchAs({ role });
      assert.equal(r.status, 200, r.body.slice(0, 500));
      assert.equal(new URL(r.url).pathname, path);
      assert.ok(r.ltik.length > 20, 'an ltik session token was issued');
      assert.match(r.body, heading);
    });
  }

  test('a deep linking request lands on the picker', async () => {
    const r = await env.launchAs({ role: 'teacher', messageType: 'LtiDeepLinkingRequest' });
    assert.equal(r.status, 200);
    assert.equal(new URL(r.url).pathname, '/teacher/deep-link');
  });

  test('the launch locale picks Simplified Chinese', async () => {
    const r = await env.launchAs({ role: 'student', locale: 'zh-Hans' });
    assert.match(r.body, /我的练习/);
    assert.match(r.body, /<html lang="zh-Hans">/);
  });

  test('the state cookie is SameSite=None; Secure; Partitioned', async () => {
    const login = await fetch(`${env.tool.url}/lti/login?iss=${encodeURIComponent(env.lms.issuer)}&client_id=${TEST_CLIENT_ID}&login_hint=x&target_link_uri=${encodeURIComponent(env.tool.url + '/lti/launch')}`, { redirect: 'manual' });
    assert.equal(login.status, 302);
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('state'));
    assert.ok(cookie, 'a state cookie was set');
    assert.match(cookie, /SameSite=None/i);
    assert.match(cookie, /Secure/i);
    assert.match(cookie, /Partitioned/i);
    assert.match(cookie, /HttpOnly/i);
  });

  test('a platform key rotation is picked up at once: unknown kid → key set fetched again', async () => {
    await env.launchAs({ role: 'student' }); // the key set is now cached
    env.lms.rotateKey({ keepOld: false });
    await new Promise((r) => setTimeout(r, 1100)); // refetches for unknown kids are limited to one a second
    const r = await env.launchAs({ role: 'student' });
    assert.equal(r.status, 200, r.body.slice(0, 300));
    assert.equal(new URL(r.url).pathname, '/student');
  });

  test('clock skew within the leeway is accepted (exp just past, iat just ahead)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const o: LaunchOptions = { clientId: TEST_CLIENT_ID, role: 'student' };
    const login = await env.lms.beginLogin(o);
    const claims = { ...env.lms.claimsFor(o, login.nonce), iat: now + 30, exp: now - 20 };
    const r = await env.lms.postLaunch(env.lms.signIdToken(claims), login.state, login.cookies);
    assert.equal(r.status, 200, r.body.slice(0, 300));
    assert.equal(new URL(r.url).pathname, '/student');
  });
});

describe('the invalid-launch matrix: 4xx with a clear reason, nothing stored', () => {
  const base: LaunchOptions = { clientId: TEST_CLIENT_ID, role: 'student' };
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const now = () => Math.floor(Date.now() / 1000);
  const currentKid = async () => ((await (await fetch(env.lms.jwksUrl)).json()) as { keys: { kid: string }[] }).keys.at(-1)!.kid;

  type Case = {
    name: string;
    reason: RegExp;
    claims?: (c: Record<string, unknown>) => Record<string, unknown>;
    sign?: Parameters<ToolAndLms['lms']['signIdToken']>[1];
    state?: (s: string) => string;
  };
  const cases: Case[] = [
    { name: 'bad signature (right kid, other key)', sign: { key: otherKey, kid: 'CURRENT' }, reason: /INVALID_SIGNATURE/ },
    { name: 'unknown kid', sign: { kid: 'no-such-key' }, reason: /KEY_NOT_FOUND/ },
    { name: 'alg none', sign: { alg: 'none' }, reason: /ALG_NOT_ALLOWED/ },
    { name: 'alg HS256', sign: { alg: 'HS256' }, reason: /ALG_NOT_ALLOWED/ },
    { name: 'wrong iss', claims: (c) => ({ ...c, iss: 'https://evil.example.com' }), reason: /PLATFORM_UNKNOWN/ },
    { name: 'aud not our client id', claims: (c) => ({ ...c, aud: 'someone-else', azp: undefined }), reason: /PLATFORM_UNKNOWN/ },
    { name: 'several aud, wrong azp', claims: (c) => ({ ...c, aud: [TEST_CLIENT_ID, 'other'], azp: 'other' }), reason: /PLATFORM_UNKNOWN/ },
    { name: 'several aud, no azp', claims: (c) => ({ ...c, aud: [TEST_CLIENT_ID, 'other'], azp: undefined }), reason: /AZP_MISSING/ },
    { name: 'expired exp', claims: (c) => ({ ...c, exp: now() - 3600, iat: now() - 7200 }), reason: /TOKEN_EXPIRED/ },
    { name: 'iat in the future', claims: (c) => ({ ...c, iat: now() + 3600, exp: now() + 7200 }), reason: /IAT_IN_FUTURE/ },
    { name: 'nonce missing', claims: (c) => ({ ...c, nonce: undefined }), reason: /NONCE_MISSING/ },
    { name: 'state missing', state: () => '', reason: /STATE_MISSING/ },
    { name: 'state not matching', state: (s) => s + 'x', reason: /MISSING_VALIDATION_COOKIE/ },
    {
      name: 'unknown deployment id',
      claims: (c) => ({ ...c, 'https://purl.imsglobal.org/spec/lti/claim/deployment_id': 'not-approved' }),
      reason: /DEPLOYMENT_UNKNOWN/,
    },
    {
      name: 'wrong message type',
      claims: (c) => ({ ...c, 'https://purl.imsglobal.org/spec/lti/claim/message_type': 'LtiSubmissionReviewRequest' }),
      reason: /MESSAGE_TYPE_UNSUPPORTED/,
    },
    { name: 'wrong version', claims: (c) => ({ ...c, 'https://purl.imsglobal.org/spec/lti/claim/version': '1.1' }), reason: /VERSION_INVALID/ },
    { name: 'missing sub on a resource link launch', claims: (c) => ({ ...c, sub: undefined }), reason: /SUB_MISSING/ },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const before = await Promise.all(['wf_launches', 'idtokens', 'contexttokens'].map((n) => countDocs(n)));
      const login = await env.lms.beginLogin(base);
      const claims = (c.claims ?? ((x) => x))(env.lms.claimsFor(base, login.nonce));
      for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
      const kid = c.sign?.kid === 'CURRENT' ? await currentKid() : c.sign?.kid;
      const token = env.lms.signIdToken(claims, c.sign && { ...c.sign, kid });
      const r = await env.lms.postLaunch(token, (c.state ?? ((s) => s))(login.state), login.cookies);
      assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
      assert.match(r.body, c.reason);
      assert.match(r.body, /This launch could not be accepted/);
      const afterCounts = await Promise.all(['wf_launches', 'idtokens', 'contexttokens'].map((n) => countDocs(n)));
      assert.deepEqual(afterCounts, before, 'a refused launch stores no session or id token');
    });
  }

  test('nonce replayed (the whole post again, with a copy of its state cookie)', async () => {
    const login = await env.lms.beginLogin(base);
    const token = env.lms.signIdToken(env.lms.claimsFor(base, login.nonce));
    const copy = new CookieJar();
    copy.store([`state${login.state}=${login.cookies.get(`state${login.state}`)}; Path=/; Secure; SameSite=None`], env.tool.url);
    const first = await env.lms.postLaunch(token, login.state, login.cookies);
    assert.equal(first.status, 200);
    const replay = await env.lms.postLaunch(token, login.state, copy);
    assert.equal(replay.status, 401);
    assert.match(replay.body, /NONCE_ALREADY_RECEIVED/);
  });

  test('API clients get JSON with the reason', async () => {
    const r = await fetch(`${env.tool.url}/lti/launch`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'id_token=not-a-jwt&state=x',
    });
    assert.equal(r.status, 400);
    const body = (await r.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'LAUNCH_INVALID');
    assert.match(body.error.message, /not a JSON Web Token/);
  });

  test('refusals are counted by reason in /metrics', async () => {
    const text = await metricsText(env.tool.url);
    assert.match(text, /wayfinder_launches_total\{outcome="refused",reason="ALG_NOT_ALLOWED"\} 2/);
    assert.match(text, /wayfinder_launches_total\{outcome="accepted"/);
  });
});
