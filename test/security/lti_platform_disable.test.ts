import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import { approvePlatform } from '../../src/lti/platforms.js';
import { startToolAndLms, TEST_CLIENT_ID, type ToolAndLms } from '../support/lti.js';
import { TEST_ADMIN_TOKEN } from '../support/tool.js';

let env: ToolAndLms;
let platformId: string;
before(async () => {
  env = await startToolAndLms({ LABEL: 'sec_disable' });
  const list = await fetch(`${env.tool.url}/api/admin/platforms`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
  platformId = ((await list.json()) as { platforms: { _id: string }[] }).platforms[0]._id;
});
after(async () => env.close());

const operator = (method: string, path: string) =>
  fetch(`${env.tool.url}/api/admin/platforms/${encodeURIComponent(platformId)}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: method === 'POST' ? '{}' : undefined,
  });
const page = (path: string, ltik: string) => fetch(`${env.tool.url}${path}${path.includes('?') ? '&' : '?'}ltik=${encodeURIComponent(ltik)}`, { redirect: 'manual' });
const launchIdOf = async (ltik: string) =>
  (await mongoose.connection.db!.collection('wf_launches').findOne({ _id: createHash('sha256').update(ltik).digest('base64url') as never }))!.launchId as string;

/** The LMS administrator's own "approve" form post in the admin console (CSRF token and ltik included). */
async function ltiAdminApproves(ltik: string, csrf: string) {
  return fetch(`${env.tool.url}/admin/platforms/${encodeURIComponent(platformId)}/approve`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ltik, _csrf: csrf }),
  });
}

describe('finding 6: a disabled or removed platform’s sessions end; only the operator re-activates it', () => {
  test('disable ends the student’s and the LMS admin’s sessions; the admin cannot re-activate; the operator can', async () => {
    const student = await env.launchAs({ clientId: TEST_CLIENT_ID, role: 'student' });
    const admin = await env.launchAs({ clientId: TEST_CLIENT_ID, role: 'admin' });
    assert.equal((await page('/student', student.ltik)).status, 200);
    const csrf = await launchIdOf(admin.ltik);
    assert.equal((await ltiAdminApproves(admin.ltik, csrf)).status, 303, 'the LMS admin may approve on an active platform');

    assert.equal((await operator('POST', '/disable')).status, 200);
    assert.equal((await page('/student', student.ltik)).status, 401, 'the student session ended');
    assert.equal((await page('/lti/launch', student.ltik)).status, 401, 'the ltik cannot re-mint it');
    assert.equal((await ltiAdminApproves(admin.ltik, csrf)).status, 401, 'the LMS admin session ended with it');
    assert.equal(((await (await operator('GET', '')).json()) as { platform: { status: string } }).platform.status, 'disabled');
    await assert.rejects(env.launchAs({ clientId: TEST_CLIENT_ID, role: 'admin' }), /answered 401: .*(disabled|not yet approved)/, 'no new launch from a disabled platform');

    assert.equal((await operator('POST', '/approve')).status, 200, 'the operator re-activates');
    const again = await env.launchAs({ clientId: TEST_CLIENT_ID, role: 'student' });
    assert.equal(again.status, 200, again.body.slice(0, 300));
  });

  test('an LMS administrator’s approval never activates a disabled platform', async () => {
    assert.equal((await operator('POST', '/disable')).status, 200);
    await assert.rejects(approvePlatform(platformId, [], 'lti'), /only the tool operator can activate it/);
    assert.equal(((await (await operator('GET', '')).json()) as { platform: { status: string } }).platform.status, 'disabled');
    assert.equal((await operator('POST', '/approve')).status, 200);
  });

  test('removal ends the platform’s sessions too', async () => {
    const student = await env.launchAs({ clientId: TEST_CLIENT_ID, role: 'student' });
    assert.equal((await page('/student', student.ltik)).status, 200);
    assert.equal((await operator('DELETE', '')).status, 204);
    assert.equal((await page('/student', student.ltik)).status, 401);
  });
});
