import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useLmsWithStandInTool } from '../../support/lms_stand_in_tool.js';

const TOOL_CONF = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
const AGS = 'https://purl.imsglobal.org/spec/lti-ags/scope';
const NRPS = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';

describe('dev LMS dynamic registration (as Moodle 4.x)', () => {
  const env = useLmsWithStandInTool({ toolKnowsLms: false });

  const body = (): Record<string, unknown> => ({
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: `${env.tool.url}/lti/login`,
    redirect_uris: [`${env.tool.url}/lti/launch`],
    client_name: 'Stand-in tool',
    jwks_uri: env.tool.jwksUrl,
    token_endpoint_auth_method: 'private_key_jwt',
    scope: `${AGS}/lineitem ${AGS}/score ${NRPS} https://example.com/unknown`,
    [TOOL_CONF]: {
      domain: new URL(env.tool.url).host,
      target_link_uri: `${env.tool.url}/lti/launch`,
      custom_parameters: { from: 'registration' },
      messages: [{ type: 'LtiDeepLinkingRequest', target_link_uri: `${env.tool.url}/lti/launch` }],
    },
  });

  async function register(payload: unknown, token?: string) {
    const cfgUrl = new URL(env.lms.openidConfigurationUrl);
    const res = await fetch(cfgUrl.origin + '/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(payload),
    });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
  }

  it('serves the platform configuration, with or without the bearer token', async () => {
    const token = env.lms.registrationToken();
    for (const headers of [{}, { authorization: `Bearer ${token}` }] as Record<string, string>[]) {
      const res = await fetch(env.lms.openidConfigurationUrl, { headers });
      assert.equal(res.status, 200);
      const cfg = (await res.json()) as Record<string, unknown>;
      assert.equal(cfg.issuer, env.lms.issuer);
      assert.equal(cfg.registration_endpoint, `${env.lms.url}/register`);
      assert.equal(cfg.jwks_uri, env.lms.jwksUrl);
      const pc = cfg['https://purl.imsglobal.org/spec/lti-platform-configuration'] as Record<string, unknown>;
      assert.equal(pc.product_family_code, 'moodle');
      assert.deepEqual(
        (pc.messages_supported as { type: string }[]).map((m) => m.type),
        ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'],
      );
    }
    const bad = await fetch(env.lms.openidConfigurationUrl, {
      headers: { authorization: 'Bearer not-a-jwt' },
    });
    assert.equal(bad.status, 401);
  });

  it('refuses a registration without a bearer token', async () => {
    const res = await register(body());
    assert.equal(res.status, 401);
  });

  it('refuses a token it did not sign', async () => {
    const res = await register(body(), env.tool.sign({ scope: 'reg', jti: 'x' }));
    assert.equal(res.status, 401);
    assert.equal(res.text, 'invalid_registration_token');
  });

  for (const field of ['initiate_login_uri', 'redirect_uris', 'client_name', 'jwks_uri', 'response_types']) {
    it(`refuses a registration without ${field}`, async () => {
      const b = body();
      delete b[field];
      const res = await register(b, env.lms.registrationToken());
      assert.equal(res.status, 400);
      assert.equal(res.json().error, 'invalid_client_metadata');
      assert.match(String(res.json().error_description), new RegExp(field));
    });
  }

  it('refuses a wrong auth method, a non-array redirect_uris and a missing domain or target_link_uri', async () => {
    const token = env.lms.registrationToken();
    const variants: Record<string, unknown>[] = [
      { ...body(), token_endpoint_auth_method: 'client_secret_basic' },
      { ...body(), redirect_uris: `${env.tool.url}/lti/launch` },
      { ...body(), response_types: ['code'] },
      { ...body(), [TOOL_CONF]: { target_link_uri: `${env.tool.url}/lti/launch` } },
      { ...body(), [TOOL_CONF]: { domain: 'localhost' } },
    ];
    for (const v of variants) assert.equal((await register(v, token)).status, 400);
  });

  it('registers a tool once per token, answers client_id, deployment_id and the granted scopes, and can launch it', async () => {
    const token = env.lms.registrationToken();
    const res = await register(body(), token);
    assert.equal(res.status, 200, res.text);
    const reg = res.json();
    assert.equal(typeof reg.client_id, 'string');
    const conf = reg[TOOL_CONF] as Record<string, unknown>;
    assert.match(String(conf.deployment_id), /^\d+$/);
    assert.deepEqual(String(reg.scope).split(' ').sort(), [`${AGS}/lineitem`, `${AGS}/score`, NRPS].sort());

    const again = await register(body(), token);
    assert.equal(again.status, 401);
    assert.equal(again.text, 'token_already_used');

    const known = env.lms.tool(String(reg.client_id));
    assert.equal(known?.deepLinking, true);
    assert.equal(known?.jwksUrl, env.tool.jwksUrl);
    env.tool.setPlatform(env.lms.registration(String(reg.client_id)));
    const launched = await env.lms.launch({ clientId: String(reg.client_id) });
    assert.equal(launched.status, 200, launched.body);
    const claims = env.tool.launches.at(-1)!;
    assert.equal(claims.aud, reg.client_id);
    assert.equal(claims['https://purl.imsglobal.org/spec/lti/claim/deployment_id'], conf.deployment_id);
    assert.deepEqual(claims['https://purl.imsglobal.org/spec/lti/claim/custom'], { from: 'registration' });
    const ags = claims['https://purl.imsglobal.org/spec/lti-ags/claim/endpoint'] as { scope: string[] };
    assert.deepEqual(ags.scope.sort(), [`${AGS}/lineitem`, `${AGS}/score`].sort());
  });

  it('grants only the scopes a test allows', async () => {
    env.lms.setGrantableScopes([`${AGS}/score`]);
    try {
      const res = await register(body(), env.lms.registrationToken());
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json().scope, `${AGS}/score`);
    } finally {
      env.lms.setGrantableScopes(undefined);
    }
  });
});
