import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import jwt from 'jsonwebtoken';
import mongoose from 'mongoose';
import { CookieJar, type LaunchOptions } from '../../src/devlms/index.js';
import { runExpiry } from '../../src/db/expiry.js';
import { countDocs, startToolAndLms, TEST_CLIENT_ID, type ToolAndLms } from '../support/lti.js';

let env: ToolAndLms;
before(async () => {
  env = await startToolAndLms({ LABEL: 'sec_launch' });
});
after(async () => env.close());

const base: LaunchOptions = { clientId: TEST_CLIENT_ID, role: 'student' };
const sessions = () => mongoose.connection.db!.collection('wf_launches');
const sessionOf = (ltik: string) => sessions().findOne({ _id: createHash('sha256').update(ltik).digest('base64url') as never });
const launchUrl = () => `${env.tool.url}/lti/launch`;

/** The LMS's form post, but with any method (a browser form cannot, an attacker's curl can). */
async function sendLaunch(method: string, idToken: string, state: string, cookies: CookieJar) {
  const r = await fetch(launchUrl(), {
    method,
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies.header(launchUrl()) },
    body: new URLSearchParams({ id_token: idToken, state }),
  });
  return { status: r.status, body: await r.text(), location: r.headers.get('location') };
}

describe('finding 5: PUT and PATCH skip no launch pre-check; no session without a tenant', () => {
  test('a token for an unapproved deployment: POST refused by the pre-check, PUT and PATCH 405, nothing stored', async () => {
    const before = await countDocs('wf_launches');
    const o: LaunchOptions = { ...base, role: 'admin', claims: { 'https://purl.imsglobal.org/spec/lti/claim/deployment_id': 'unapproved' } };
    for (const method of ['POST', 'PUT', 'PATCH']) {
      const login = await env.lms.beginLogin(o);
      const token = env.lms.signIdToken(env.lms.claimsFor(o, login.nonce));
      const r = await sendLaunch(method, token, login.state, login.cookies);
      if (method === 'POST') {
        assert.equal(r.status, 400, r.body.slice(0, 300));
        assert.match(r.body, /DEPLOYMENT_UNKNOWN/);
      } else {
        assert.equal(r.status, 405, `${method}: ${r.body.slice(0, 300)}`);
        assert.doesNotMatch(r.location ?? '', /ltik=/);
      }
    }
    assert.equal(await countDocs('wf_launches'), before, 'no session was created by any method');
  });

  test('a stored session without a tenant (as PUT used to create) opens nothing', async () => {
    const ltik = jwt.sign({ user: 'intruder' }, env.tool.config.ltiKey);
    const now = Date.now();
    await sessions().insertOne({
      _id: createHash('sha256').update(ltik).digest('base64url') as never,
      launchId: 'l1', courseId: 'c', platformKey: 'p', issuer: env.lms.issuer, clientId: TEST_CLIENT_ID, deploymentId: 'unapproved',
      sub: 'intruder', name: 'Intruder', roles: [], role: 'admin', testUser: false, contextId: 'x', contextTitle: 'x',
      messageType: 'LtiResourceLinkRequest', custom: {}, createdAt: new Date(now), expiresAt: new Date(now + 3600_000),
    });
    const r = await fetch(`${env.tool.url}/admin/platforms?ltik=${encodeURIComponent(ltik)}`, { headers: { accept: 'application/json' } });
    assert.equal(r.status, 401);
  });

  test('the legitimate POST launch still works', async () => {
    const r = await env.launchAs(base);
    assert.equal(r.status, 200, r.body.slice(0, 300));
    assert.equal(new URL(r.url).pathname, '/student');
    assert.ok((await sessionOf(r.ltik))?.tenantId, 'the session has its tenant');
  });
});

describe('finding 7: an ltik never mints a session; it ends with its session', () => {
  test('GET /lti/launch?ltik=… goes back to the landing page of the same session, creating none', async () => {
    const { ltik } = await env.launchAs(base);
    const before = await countDocs('wf_launches');
    const r = await fetch(`${launchUrl()}?ltik=${encodeURIComponent(ltik)}`, { redirect: 'manual' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), `/student?ltik=${encodeURIComponent(ltik)}`);
    assert.equal(await countDocs('wf_launches'), before);
    const page = await fetch(`${env.tool.url}${r.headers.get('location')}`);
    assert.equal(page.status, 200, 'the session itself still works');
  });

  test('an ltik whose session has ended: GET and POST /lti/launch refuse it, and no session is re-created', async () => {
    // Launched without opening the landing page, so no process cache holds the session yet.
    const login = await env.lms.beginLogin(base);
    const launched = await sendLaunch('POST', env.lms.signIdToken(env.lms.claimsFor(base, login.nonce)), login.state, login.cookies);
    assert.equal(launched.status, 303);
    const ltik = new URL(launched.location!, env.tool.url).searchParams.get('ltik')!;
    await sessions().updateOne({ _id: (await sessionOf(ltik))!._id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const before = await countDocs('wf_launches');
    const get = await fetch(`${launchUrl()}?ltik=${encodeURIComponent(ltik)}`, { redirect: 'manual', headers: { accept: 'application/json' } });
    assert.equal(get.status, 401);
    const post = await fetch(launchUrl(), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Bearer ${ltik}` },
      body: new URLSearchParams({ ltik }),
    });
    assert.equal(post.status, 400);
    assert.equal(((await post.json()) as { error: { message: string } }).error.message, 'the launch carries no id_token');
    assert.equal(await countDocs('wf_launches'), before, 'no new session');
    assert.equal((await fetch(`${env.tool.url}/student?ltik=${encodeURIComponent(ltik)}`)).status, 401);
  });

  test('an old ltik beside a real id_token is ignored: the session is the id_token’s own', async () => {
    const old = await env.launchAs({ ...base, user: '4' });
    const o: LaunchOptions = { ...base, user: '5' };
    const login = await env.lms.beginLogin(o);
    const token = env.lms.signIdToken(env.lms.claimsFor(o, login.nonce));
    const r = await fetch(`${launchUrl()}?ltik=${encodeURIComponent(old.ltik)}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: login.cookies.header(launchUrl()), authorization: `Bearer ${old.ltik}` },
      body: new URLSearchParams({ id_token: token, state: login.state, ltik: old.ltik }),
    });
    assert.equal(r.status, 303, await r.text());
    const ltik = new URL(r.headers.get('location')!, env.tool.url).searchParams.get('ltik')!;
    assert.notEqual(ltik, old.ltik);
    assert.equal((await sessionOf(ltik))?.sub, '5');
  });
});

describe('finding 12: the nonce is tied to its login, and a used nonce is kept until the token expires', () => {
  test('a token minted for login A, posted with login B’s state and cookie, is refused', async () => {
    const a = await env.lms.beginLogin(base);
    const b = await env.lms.beginLogin(base);
    const token = env.lms.signIdToken(env.lms.claimsFor(base, a.nonce));
    const before = await countDocs('wf_launches');
    const r = await env.lms.postLaunch(token, b.state, b.cookies);
    assert.equal(r.status, 401);
    assert.match(r.body, /LOGIN_NONCE_MISMATCH/);
    assert.equal(await countDocs('wf_launches'), before);
    const legit = await env.lms.postLaunch(token, a.state, a.cookies);
    assert.equal(legit.status, 200, 'the same token with its own login is accepted');
  });

  test('a token living 6 h: its nonce outlives the old 2 h retention and is dropped only after exp', async () => {
    const login = await env.lms.beginLogin(base);
    const exp = Math.floor(Date.now() / 1000) + 6 * 3600;
    const token = env.lms.signIdToken({ ...env.lms.claimsFor(base, login.nonce), exp });
    const copy = new CookieJar();
    copy.store([`state${login.state}=${login.cookies.get(`state${login.state}`)}; Path=/; Secure; SameSite=None`], env.tool.url);
    assert.equal((await env.lms.postLaunch(token, login.state, login.cookies)).status, 200);
    const replay = await env.lms.postLaunch(token, login.state, copy);
    assert.equal(replay.status, 401);
    assert.match(replay.body, /NONCE_ALREADY_RECEIVED/);
    const nonces = mongoose.connection.db!.collection('wf_used_nonces');
    const id = `${env.lms.issuer}\u0000${login.nonce}`;
    await runExpiry(new Date(Date.now() + 3 * 3600_000));
    assert.ok(await nonces.findOne({ _id: id as never }), 'still kept 3 h later');
    await runExpiry(new Date(exp * 1000 + (env.tool.config.clockSkewSeconds + 120) * 1000));
    assert.equal(await nonces.findOne({ _id: id as never }), null, 'dropped once the token can no longer be accepted');
  });
});
