import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { useLmsWithStandInTool } from '../../support/lms_stand_in_tool.js';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim';
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim';

describe('dev LMS deep linking return', () => {
  const env = useLmsWithStandInTool();

  /** A real deep linking launch; returns the settings claim the tool received. */
  async function deepLinkingLaunch(over: Record<string, unknown> = {}) {
    const res = await env.lms.launch({
      user: '3',
      course: '3',
      messageType: 'LtiDeepLinkingRequest',
      deepLinking: over,
    });
    assert.equal(res.status, 200, res.body);
    return env.tool.launches.at(-1)![`${DL}/deep_linking_settings`] as {
      data: string;
      deep_link_return_url: string;
    };
  }

  function response(data: string | undefined, items: unknown[], over: Record<string, unknown> = {}) {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: env.lms.clientId,
      aud: env.lms.issuer,
      iat: now,
      exp: now + 300,
      nonce: randomUUID(),
      [`${LTI}/message_type`]: 'LtiDeepLinkingResponse',
      [`${LTI}/version`]: '1.3.0',
      [`${LTI}/deployment_id`]: env.lms.deploymentId,
      [`${DL}/content_items`]: items,
      [`${DL}/msg`]: 'Added a pathway',
      ...(data === undefined ? {} : { [`${DL}/data`]: data }),
      ...over,
    };
  }

  async function post(url: string, jwt: string, accept = 'text/html') {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
      body: new URLSearchParams({ JWT: jwt }),
    });
    return { status: res.status, body: await res.text() };
  }

  const item = {
    type: 'ltiResourceLink',
    title: 'Fractions pathway',
    text: 'Adaptive practice',
    url: '', // set in the test: the tool's URL
    custom: { pathway: 'fractions' },
    lineItem: { scoreMaximum: 10, label: 'Fractions', resourceId: 'fractions', tag: 'wayfinder' },
  };

  it('verifies the tool-signed response, stores the links and their gradebook column, and launches them', async () => {
    const settings = await deepLinkingLaunch();
    const jwt = env.tool.sign(response(settings.data, [{ ...item, url: `${env.tool.url}/lti/launch` }]));
    const res = await post(settings.deep_link_return_url, jwt);
    assert.equal(res.status, 200, res.body);
    assert.match(res.body, /Fractions pathway/);
    assert.match(res.body, /Added a pathway/);
    assert.match(res.body, /Gradebook column: Fractions \(out of 10\)/);

    const [link] = env.lms.resourceLinks('3');
    assert.equal(link.title, 'Fractions pathway');
    assert.deepEqual(link.custom, { pathway: 'fractions' });
    assert.equal(link.lineItem?.scoreMaximum, 10);

    // The same data cannot be used twice.
    assert.equal((await post(settings.deep_link_return_url, jwt)).status, 400);

    const launched = await env.lms.launch({ course: '3', resourceLink: { id: link.id } });
    assert.equal(launched.status, 200, launched.body);
    const c = env.tool.launches.at(-1)!;
    assert.deepEqual(c[`${LTI}/custom`], { pathway: 'fractions' });
    assert.equal((c[`${LTI}/resource_link`] as { title: string }).title, 'Fractions pathway');
    const ags = c['https://purl.imsglobal.org/spec/lti-ags/claim/endpoint'] as { lineitem: string };
    assert.ok(ags.lineitem.includes(encodeURIComponent(link.lineItem!.id)));
  });

  it('answers JSON when asked', async () => {
    const settings = await deepLinkingLaunch();
    const res = await post(
      settings.deep_link_return_url,
      env.tool.sign(response(settings.data, [])),
      'application/json',
    );
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body).links, []);
  });

  it('refuses a response signed by another key, for another audience, without or with wrong data', async () => {
    const settings = await deepLinkingLaunch();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cases: [string, string, RegExp][] = [
      ['other key', env.tool.sign(response(settings.data, []), { key: privateKey }), /signature/],
      ['wrong aud', env.tool.sign(response(settings.data, [], { aud: 'http://other' })), /audience/],
      ['no data', env.tool.sign(response(undefined, [])), /data/],
      ['wrong data', env.tool.sign(response('made-up', [])), /data/],
      ['wrong iss', env.tool.sign(response(settings.data, [], { iss: 'unknown' })), /registered tool/],
      [
        'wrong message type',
        env.tool.sign(response(settings.data, [], { [`${LTI}/message_type`]: 'LtiResourceLinkRequest' })),
        /message_type/,
      ],
      [
        'wrong deployment',
        env.tool.sign(response(settings.data, [], { [`${LTI}/deployment_id`]: '99' })),
        /deployment_id/,
      ],
      ['no nonce', env.tool.sign(response(settings.data, [], { nonce: undefined })), /nonce/],
      [
        'type not accepted',
        env.tool.sign(response(settings.data, [{ type: 'file', url: 'http://x/y' }])),
        /not accepted/,
      ],
    ];
    for (const [what, jwt, message] of cases) {
      const res = await post(settings.deep_link_return_url, jwt, 'application/json');
      assert.equal(res.status, 400, `${what}: ${res.body}`);
      assert.match(JSON.parse(res.body).message, message, what);
    }
    assert.equal((await post(settings.deep_link_return_url, '')).status, 400);
  });

  it('refuses several items when accept_multiple is false', async () => {
    const settings = await deepLinkingLaunch({ accept_multiple: false });
    const items = [1, 2].map((n) => ({ type: 'ltiResourceLink', title: `Item ${n}` }));
    const res = await post(
      settings.deep_link_return_url,
      env.tool.sign(response(settings.data, items)),
      'application/json',
    );
    assert.equal(res.status, 400);
    assert.match(JSON.parse(res.body).message, /Only one/);
  });
});
