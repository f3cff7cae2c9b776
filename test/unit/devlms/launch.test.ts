import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { useLmsWithStandInTool } from '../../support/lms_stand_in_tool.js';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim';

describe('dev LMS launch', () => {
  const env = useLmsWithStandInTool();

  it('JWKS serves the key that verifies the tokens it signs', async () => {
    const token = env.lms.signIdToken(env.lms.claimsFor({}, 'n-1'));
    const { keys } = (await (await fetch(env.lms.jwksUrl)).json()) as {
      keys: (JsonWebKey & { kid: string })[];
    };
    const kid = jwt.decode(token, { complete: true })?.header.kid;
    const jwk = keys.find((k) => k.kid === kid);
    assert.ok(jwk, 'the signing kid is in the key set');
    const claims = jwt.verify(token, createPublicKey({ key: jwk, format: 'jwk' }), {
      algorithms: ['RS256'],
      issuer: env.lms.issuer,
      audience: env.lms.clientId,
    }) as Record<string, unknown>;
    assert.equal(claims.nonce, 'n-1');
  });

  it('rotation serves old and new keys, and signs with the new one', async () => {
    const before = env.lms.signIdToken({ a: 1 });
    env.lms.rotateKey();
    const after = env.lms.signIdToken({ a: 1 });
    const kids = ((await (await fetch(env.lms.jwksUrl)).json()) as { keys: { kid: string }[] }).keys.map(
      (k) => k.kid,
    );
    const kidOf = (t: string) => jwt.decode(t, { complete: true })?.header.kid as string;
    assert.notEqual(kidOf(before), kidOf(after));
    assert.ok(kids.includes(kidOf(before)) && kids.includes(kidOf(after)));
  });

  it('a full launch reaches the tool with the state cookie and Moodle-shaped claims', async () => {
    const res = await env.lms.launch({
      user: '3',
      role: 'teacher',
      course: '3',
      custom: { pathway: 'p1' },
      locale: 'zh-Hans',
    });
    assert.equal(res.status, 200, res.body);
    assert.match(res.body, /Welcome to the stand-in tool/);
    assert.equal(res.url, `${env.tool.url}/app`);
    assert.deepEqual(res.redirects, [`${env.tool.url}/app`]);
    assert.ok(res.cookies.get('session'));
    const c = env.tool.launches.at(-1)!;
    assert.equal(c.sub, '3');
    assert.equal(c.aud, env.lms.clientId);
    assert.equal(c.azp, env.lms.clientId);
    assert.equal(c[`${LTI}/version`], '1.3.0');
    assert.equal(c[`${LTI}/message_type`], 'LtiResourceLinkRequest');
    assert.equal(c[`${LTI}/deployment_id`], env.lms.deploymentId);
    assert.deepEqual(c[`${LTI}/roles`], ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor']);
    assert.deepEqual((c[`${LTI}/context`] as { type: string[] }).type, ['CourseSection']);
    assert.deepEqual(c[`${LTI}/custom`], { pathway: 'p1' });
    assert.equal((c[`${LTI}/launch_presentation`] as { locale: string }).locale, 'zh-Hans');
    const ags = c['https://purl.imsglobal.org/spec/lti-ags/claim/endpoint'] as {
      lineitem: string;
      scope: string[];
    };
    assert.match(ags.lineitem, /\/lineitem\?type_id=/);
    assert.equal(ags.scope.length, 4);
    assert.deepEqual(
      (c['https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice'] as { service_versions: string[] })
        .service_versions,
      ['1.0', '2.0'],
    );
    assert.equal((c[`${LTI}/ext`] as { lms: string }).lms, 'moodle-2');
    assert.ok((c.exp as number) - (c.iat as number) === 300);
  });

  it('a deep linking launch carries deep_linking_settings with data and no resource_link', async () => {
    const res = await env.lms.launch({ role: 'teacher', user: '3', messageType: 'LtiDeepLinkingRequest' });
    assert.equal(res.status, 200, res.body);
    const c = env.tool.launches.at(-1)!;
    const dl = c['https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings'] as Record<
      string,
      unknown
    >;
    assert.equal(dl.deep_link_return_url, `${env.lms.url}/deep-link-return`);
    assert.deepEqual(dl.accept_types, ['ltiResourceLink']);
    assert.equal(typeof dl.data, 'string');
    assert.equal(c[`${LTI}/resource_link`], undefined);
  });

  it('claims overrides apply last; undefined deletes a claim', async () => {
    const c = env.lms.claimsFor({ claims: { email: undefined, locale: 'fr' } }, 'n');
    assert.equal('email' in c, false);
    assert.equal(c.locale, 'fr');
  });

  it('beginLogin + postLaunch lets a test replace the id_token', async () => {
    const login = await env.lms.beginLogin({});
    assert.equal(login.redirectUri, `${env.tool.url}/lti/launch`);
    assert.ok(login.nonce && login.state);
    const forged = env.lms.signIdToken(env.lms.claimsFor({}, login.nonce), { alg: 'none' });
    const res = await env.lms.postLaunch(forged, login.state, login.cookies);
    assert.equal(res.status, 401);
    const good = env.lms.signIdToken(env.lms.claimsFor({}, login.nonce));
    const ok = await env.lms.postLaunch(good, login.state, login.cookies);
    assert.equal(ok.status, 200, ok.body);
  });

  it('without the login cookies the tool refuses the launch', async () => {
    const login = await env.lms.beginLogin({});
    const res = await env.lms.postLaunch(
      env.lms.signIdToken(env.lms.claimsFor({}, login.nonce)),
      login.state,
    );
    assert.equal(res.status, 401);
    assert.match(res.body, /state cookie/);
  });

  it('Safari-like blocked third-party cookies lose the state cookie in the iframe, not in a new window', async () => {
    const blocked = await env.lms.launch({ thirdPartyCookies: 'block' });
    assert.equal(blocked.status, 401);
    const windowed = await env.lms.launch({ thirdPartyCookies: 'block', frame: 'window' });
    assert.equal(windowed.status, 200, windowed.body);
  });
});
