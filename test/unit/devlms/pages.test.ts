import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useLmsWithStandInTool } from '../../support/lms_stand_in_tool.js';

const decode = (s: string) => s.replace(/&amp;/g, '&');

describe('dev LMS pages', () => {
  const env = useLmsWithStandInTool();

  it('the launcher has labelled choices of person, role, course, link and language', async () => {
    const html = await (await fetch(env.lms.launcherUrl)).text();
    for (const id of ['user', 'role', 'course', 'link', 'locale']) {
      assert.match(html, new RegExp(`<label for="${id}">`));
      assert.match(html, new RegExp(`<select id="${id}" name="${id}"`));
    }
    assert.match(html, /Grace Hopper/);
    assert.match(html, /zh-Hans/);
    assert.match(html, /Add content \(deep linking\)/);
    assert.match(html, /name="viewport"/);
  });

  it('Launch puts the tool login initiation in an unsandboxed iframe, and that URL launches', async () => {
    const res = await fetch(`${env.lms.url}/dev/lms/launch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        user: '5',
        role: 'student',
        course: '3',
        link: 'default',
        locale: 'zh-Hans',
      }),
    });
    const html = await res.text();
    assert.equal(res.status, 200);
    const src = /<iframe src="([^"]+)"[^>]*allow="clipboard-write/.exec(html)?.[1];
    assert.ok(src, 'an iframe with the login URL');
    assert.doesNotMatch(html, /sandbox/);
    assert.match(html, /target="_blank"/);
    const login = new URL(decode(src));
    assert.equal(login.origin + login.pathname, `${env.tool.url}/lti/login`);
    assert.equal(login.searchParams.get('login_hint'), '5');
    assert.equal(login.searchParams.get('iss'), env.lms.issuer);
    assert.equal(login.searchParams.get('client_id'), env.lms.clientId);
    assert.equal(login.searchParams.get('lti_deployment_id'), env.lms.deploymentId);
    assert.ok(login.searchParams.get('lti_message_hint'));

    // Follow it like the iframe would: login → auth → form post.
    const toAuth = await fetch(login, { redirect: 'manual' });
    const cookie = toAuth.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const auth = await (await fetch(toAuth.headers.get('location')!)).text();
    const field = (n: string) => decode(new RegExp(`name="${n}" value="([^"]*)"`).exec(auth)![1]);
    const launched = await fetch(`${env.tool.url}/lti/launch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ id_token: field('id_token'), state: field('state') }),
      redirect: 'manual',
    });
    assert.equal(launched.status, 303);
    const c = env.tool.launches.at(-1)!;
    assert.equal(c.sub, '5');
    assert.equal((c['https://purl.imsglobal.org/spec/lti/claim/context'] as { id: string }).id, '3');
    assert.equal(c.locale, 'zh-Hans');
  });

  it('the admin page opens the registration URL with openid_configuration and a registration token', async () => {
    const res = await fetch(`${env.lms.url}/dev/lms/admin/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ url: `${env.tool.url}/lti/register` }),
    });
    const html = await res.text();
    const src = /<iframe id="registration" src="([^"]+)"/.exec(html)?.[1];
    assert.ok(src);
    const u = new URL(decode(src));
    assert.equal(u.searchParams.get('openid_configuration'), env.lms.openidConfigurationUrl);
    assert.match(u.searchParams.get('registration_token') ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.match(html, /org\.imsglobal\.lti\.close/);
    const bad = await fetch(`${env.lms.url}/dev/lms/admin/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ url: 'javascript:alert(1)' }),
    });
    assert.match(await bad.text(), /is not an http\(s\) URL/);
  });

  it('escapes what it shows', async () => {
    const html = await (
      await fetch(`${env.lms.url}/dev/lms/return?lti_msg=${encodeURIComponent('<b>hi</b>')}`)
    ).text();
    assert.match(html, /&lt;b&gt;hi&lt;\/b&gt;/);
  });
});
