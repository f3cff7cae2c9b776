import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LaunchOptions } from '../../src/devlms/index.js';
import { parseForm } from '../../src/devlms/html_form.js';
import { countDocs, startToolAndLms, TEST_CLIENT_ID, type ToolAndLms } from '../support/lti.js';
import { metricsText } from '../support/tool.js';

// The server side of cookie-less launches, over real HTTP without a browser: what each page
// carries and what the completion step refuses. The postMessage half runs in test/e2e.
let env: ToolAndLms;
before(async () => {
  env = await startToolAndLms({ LABEL: 'platform-storage' });
});
after(async () => env.close());

const base: LaunchOptions = { clientId: TEST_CLIENT_ID, role: 'student', platformStorage: true, thirdPartyCookies: 'block' };

async function storageStep(step: string): Promise<number> {
  const text = await metricsText(env.tool.url);
  const m = new RegExp(`wayfinder_lti_platform_storage_total\\{step="${step}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
}

/** Login through platform storage and the platform's id_token, up to the tool's read-back page. */
async function toLaunchPage(o: LaunchOptions = base) {
  const login = await env.lms.beginLogin(o);
  const idToken = env.lms.signIdToken(env.lms.claimsFor(o, login.nonce));
  const page = await env.lms.postLaunch(idToken, login.state, login.cookies, { thirdPartyCookies: 'block' });
  return { login, idToken, page };
}

/** The read-back page's form post, as the tool's own page sends it (or as a forger would). */
async function complete(fields: Record<string, string>, origin: string | null = env.tool.url) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };
  if (origin) headers.origin = origin;
  const res = await fetch(`${env.tool.url}/lti/launch`, { method: 'POST', headers, body: new URLSearchParams(fields), redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location') ?? '', body: await res.text() };
}

describe('login initiation with lti_storage_target', () => {
  test('answers a page that stores state and nonce (no state cookie) and then goes to the auth endpoint', async () => {
    const res = await fetch(`${env.tool.url}/lti/login?${new URLSearchParams({ iss: env.lms.issuer, client_id: TEST_CLIENT_ID, login_hint: 'u1', target_link_uri: `${env.tool.url}/lti/launch`, lti_message_hint: 'h', lti_storage_target: '_parent' })}`, { redirect: 'manual' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.getSetCookie().filter((c) => c.startsWith('state')).length, 0, 'no state cookie on this path');
    assert.match(res.headers.get('cache-control') ?? '', /no-store/);
    const html = await res.text();
    const form = parseForm(html)!;
    assert.equal(form.action, env.lms.authUrl);
    assert.equal(form.method, 'get');
    assert.equal(form.fields.redirect_uri, `${env.tool.url}/lti/launch`);
    assert.equal(form.fields.lti_message_hint, 'h');
    assert.ok(html.includes(`data-state="${form.fields.state}"`) && html.includes(`data-nonce="${form.fields.nonce}"`));
    assert.ok(html.includes('data-target="_parent"') && html.includes(`data-origin="${new URL(env.lms.authUrl).origin}"`));
    assert.match(html, /<script src="\/static\/js\/lti-storage-login.js"><\/script>/);
    assert.doesNotMatch(html, /<script>/, 'no inline script (CSP)');
    assert.match(html, /Open Wayfinder in a new window/);
  });

  test('a target that is not a frame name is ignored: the cookie path answers', async () => {
    const login = await env.lms.beginLogin({ clientId: TEST_CLIENT_ID, loginParams: { lti_storage_target: 'javascript:alert(1)' } });
    assert.ok(login.authRequestUrl.startsWith(env.lms.authUrl), 'redirected straight to the auth endpoint');
    assert.ok(login.cookies.header(`${env.tool.url}/lti/launch`).includes(`state${login.state}=`), 'the cookie path set its state cookie');
  });

  test('the page speaks Simplified Chinese', async () => {
    const url = `${env.tool.url}/lti/login?${new URLSearchParams({ iss: env.lms.issuer, client_id: TEST_CLIENT_ID, login_hint: 'u1', target_link_uri: `${env.tool.url}/lti/launch`, lti_storage_target: '_parent' })}`;
    const html = await (await fetch(url, { headers: { 'accept-language': 'zh-CN,zh;q=0.9' } })).text();
    assert.match(html, /<html lang="zh-Hans">/);
    assert.match(html, /在新窗口中打开 Wayfinder/);
  });
});

describe('launch through platform storage', () => {
  test('without the cookie the launch answers the read-back page, and its completion lands once', async () => {
    const pages = await storageStep('launch_page');
    const { login, idToken, page } = await toLaunchPage();
    assert.equal(page.status, 200, page.body.slice(0, 300));
    assert.equal(await storageStep('launch_page'), pages + 1);
    const form = parseForm(page.body)!;
    assert.deepEqual(form.fields, { id_token: idToken, state: login.state, platform_storage: 'verified' });
    assert.ok(page.body.includes(`data-nonce="${login.nonce}"`) && page.body.includes(`data-state="${login.state}"`));

    const sessions = await countDocs('wf_launches');
    const done = await complete(form.fields);
    assert.equal(done.status, 303, done.body.slice(0, 300));
    assert.match(done.location, /^\/student\?ltik=/);
    const landing = await fetch(new URL(done.location, env.tool.url));
    assert.equal(landing.status, 200);
    assert.equal(await countDocs('wf_launches'), sessions + 1);

    const again = await complete(form.fields);
    assert.equal(again.status, 401);
    assert.match(again.body, /STATE_ALREADY_USED/);
    assert.equal(await countDocs('wf_launches'), sessions + 1, 'exactly one session');
  });

  test('completion from another origin, or with no origin, is refused (the read-back cannot be skipped)', async () => {
    const { page } = await toLaunchPage();
    const fields = parseForm(page.body)!.fields;
    for (const origin of [env.lms.url, 'https://evil.example', null]) {
      const r = await complete(fields, origin);
      assert.equal(r.status, 401, String(origin));
      assert.match(r.body, /STORAGE_ORIGIN_INVALID/);
    }
    const ok = await complete(fields);
    assert.equal(ok.status, 303, 'the real page can still complete: refusals claimed nothing');
  });

  test('an id_token whose nonce is not the one sent for this state is refused', async () => {
    const login = await env.lms.beginLogin(base);
    const token = env.lms.signIdToken(env.lms.claimsFor(base, 'a-nonce-the-tool-never-sent'));
    const r = await complete({ id_token: token, state: login.state, platform_storage: 'verified' });
    assert.equal(r.status, 401);
    assert.match(r.body, /STORAGE_NONCE_MISMATCH/);
  });

  test('nonce replay is still refused: by the login record, on either path', async () => {
    const first = await toLaunchPage();
    assert.equal((await complete(parseForm(first.page.body)!.fields)).status, 303);
    const second = await env.lms.beginLogin(base);
    const replay = await complete({ id_token: first.idToken, state: second.state, platform_storage: 'verified' });
    assert.equal(replay.status, 401);
    assert.match(replay.body, /STORAGE_NONCE_MISMATCH/);
    const cookieLogin = await env.lms.beginLogin({ clientId: TEST_CLIENT_ID, role: 'student' });
    const viaCookie = await env.lms.postLaunch(first.idToken, cookieLogin.state, cookieLogin.cookies);
    assert.equal(viaCookie.status, 401);
    assert.match(viaCookie.body, /LOGIN_NONCE_MISMATCH/);
  });

  test('ltijs still checks the signature after a completion passed the storage checks', async () => {
    const login = await env.lms.beginLogin(base);
    const claims = env.lms.claimsFor(base, login.nonce);
    const kid = ((await (await fetch(env.lms.jwksUrl)).json()) as { keys: { kid: string }[] }).keys.at(-1)!.kid;
    const { generateKeyPairSync } = await import('node:crypto');
    const forged = env.lms.signIdToken(claims, { key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, kid });
    const r = await complete({ id_token: forged, state: login.state, platform_storage: 'verified' });
    assert.equal(r.status, 401);
    assert.match(r.body, /INVALID_SIGNATURE/);
  });
});

describe('the cookie check', () => {
  test('a cookie-path login whose cookie was blocked gets the explanation and a new-window launch', async () => {
    const o: LaunchOptions = { clientId: TEST_CLIENT_ID, role: 'student' };
    const checks = await storageStep('cookie_check');
    const r = await env.lms.launch({ ...o, thirdPartyCookies: 'block' });
    assert.equal(r.status, 200, r.body.slice(0, 300));
    assert.equal(await storageStep('cookie_check'), checks + 1);
    assert.match(r.body, /Wayfinder cannot open inside this course page/);
    assert.match(r.body, /<script src="\/static\/js\/lti-storage-check.js"><\/script>/);
    const link = /<a href="([^"]+)" target="_blank" rel="noopener">Open Wayfinder in a new window<\/a>/.exec(r.body);
    assert.ok(link, 'a new-window link');
    const href = new URL(link[1].replace(/&amp;/g, '&'), env.tool.url);
    assert.equal(href.pathname, '/lti/login');
    assert.equal(href.searchParams.get('iss'), env.lms.issuer);
    assert.ok(href.searchParams.get('lti_message_hint'), 'the same launch can start again');
    assert.equal(href.searchParams.get('lti_storage_target'), null);
  });

  test('a state the tool never issued is still ltijs’s refusal', async () => {
    const login = await env.lms.beginLogin({ clientId: TEST_CLIENT_ID, role: 'student' });
    const token = env.lms.signIdToken(env.lms.claimsFor({ clientId: TEST_CLIENT_ID, role: 'student' }, login.nonce));
    const r = await env.lms.postLaunch(token, 'never-issued', login.cookies);
    assert.equal(r.status, 401);
    assert.match(r.body, /MISSING_VALIDATION_COOKIE/);
  });
});
