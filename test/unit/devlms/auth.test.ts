import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useLmsWithStandInTool } from '../../support/lms_stand_in_tool.js';

describe('dev LMS authorization endpoint', () => {
  const env = useLmsWithStandInTool();

  /** The tool's real authentication request, with some parameters changed. */
  async function authWith(change: Record<string, string | undefined>) {
    const login = await env.lms.beginLogin({});
    const url = new URL(login.authRequestUrl);
    for (const [k, v] of Object.entries(change)) {
      if (v === undefined) url.searchParams.delete(k);
      else url.searchParams.set(k, v);
    }
    const res = await fetch(url);
    return { status: res.status, body: await res.text() };
  }

  it('answers a valid request with an auto-submitting form to the redirect_uri', async () => {
    const res = await authWith({});
    assert.equal(res.status, 200);
    assert.match(res.body, new RegExp(`action="${env.tool.url}/lti/launch"`));
    assert.match(res.body, /name="id_token" value="[\w-]+\.[\w-]+\.[\w-]+"/);
  });

  const refusals: [string, Record<string, string | undefined>, RegExp][] = [
    ['an unknown client_id', { client_id: 'someone-else' }, /client_id/],
    ['a missing client_id', { client_id: undefined }, /client_id/],
    ['an unregistered redirect_uri', { redirect_uri: 'http://evil.example/lti/launch' }, /redirect_uri/],
    ['a missing nonce', { nonce: undefined }, /nonce/],
    ['a missing state', { state: undefined }, /state/],
    ['response_type other than id_token', { response_type: 'code' }, /response_type/],
    ['scope without openid', { scope: 'profile' }, /openid/],
    ['response_mode other than form_post', { response_mode: 'query' }, /form_post/],
    ['prompt other than none', { prompt: 'login' }, /prompt/],
    ['an unknown lti_message_hint', { lti_message_hint: 'made-up' }, /lti_message_hint/],
    ['a login_hint for another user', { login_hint: '999' }, /login_hint/],
  ];
  for (const [what, change, message] of refusals) {
    it(`refuses ${what} with a readable page`, async () => {
      const res = await authWith(change);
      assert.equal(res.status, 400);
      assert.match(res.body, /<h1>Launch refused/);
      assert.match(res.body, message);
      assert.doesNotMatch(res.body, /name="id_token"/);
    });
  }

  it('launch() refuses a tool the LMS does not know', async () => {
    await assert.rejects(env.lms.launch({ clientId: 'nope' }), /no tool with client id nope/);
  });
});
