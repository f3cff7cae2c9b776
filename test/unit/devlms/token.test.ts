import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { useLmsWithStandInTool, type StandInTool } from '../../support/lms_stand_in_tool.js';

const SCORE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
const LINEITEM = 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem';

describe('dev LMS token endpoint', () => {
  const env = useLmsWithStandInTool({ toolKnowsLms: false });

  const assertion = (over: Record<string, unknown> = {}, o?: Parameters<StandInTool['sign']>[1]) => {
    const now = Math.floor(Date.now() / 1000);
    return env.tool.sign(
      {
        iss: env.lms.clientId,
        sub: env.lms.clientId,
        aud: env.lms.tokenUrl,
        iat: now,
        exp: now + 300,
        jti: randomUUID(),
        ...over,
      },
      o,
    );
  };

  async function token(clientAssertion: string, scope = SCORE, grant = 'client_credentials') {
    const res = await fetch(env.lms.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: grant,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: clientAssertion,
        scope,
      }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('issues an opaque access token for a valid assertion, with the granted scopes', async () => {
    const res = await token(assertion(), `${SCORE} ${LINEITEM} https://example.com/not-granted`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.expires_in, 3600);
    assert.deepEqual(String(res.body.scope).split(' ').sort(), [LINEITEM, SCORE].sort());
    const auth = `Bearer ${res.body.access_token}`;
    assert.equal(env.lms.checkAccessToken(auth, SCORE)?.clientId, env.lms.clientId);
    assert.equal(env.lms.checkAccessToken(auth, 'https://example.com/not-granted'), undefined);
    assert.equal(env.lms.checkAccessToken('Bearer nope', SCORE), undefined);
  });

  it('refuses an assertion signed by a key not in the tool key set', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const res = await token(assertion({}, { key: privateKey }));
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
  });

  it('refuses an unknown kid, a wrong audience, sub other than iss, an unknown client, expiry and replay', async () => {
    const now = Math.floor(Date.now() / 1000);
    const bad = [
      assertion({}, { kid: 'unknown-kid' }),
      assertion({ aud: env.lms.issuer }),
      assertion({ sub: 'someone' }),
      assertion({ iss: 'other-client', sub: 'other-client' }),
      assertion({ iat: now - 900, exp: now - 600 }),
      assertion({ jti: undefined }),
    ];
    for (const a of bad) {
      const res = await token(a);
      assert.equal(res.status, 401, JSON.stringify(res.body));
      assert.equal(res.body.error, 'invalid_client');
    }
    const once = assertion();
    assert.equal((await token(once)).status, 200);
    assert.equal((await token(once)).status, 401);
  });

  it('refuses a wrong grant type, a non-JWT and scopes it never granted', async () => {
    assert.equal((await token(assertion(), SCORE, 'password')).body.error, 'unsupported_grant_type');
    assert.equal((await token('not.a.jwt')).status, 401);
    const res = await token(assertion(), 'https://example.com/not-granted');
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_scope');
  });
});
