// Issue 14, finding 16 (Low) — the operator bearer API had no attempt limit, and the console's
// sign-in lockout was per address, so behind a proxy without TRUST_PROXY anyone could lock the
// operator out. Now failures are throttled per client and for the token as a whole (API and
// console together), and a device that used the token before (its device cookie) never waits
// for anyone else's failures.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import request from 'supertest';
import { DEVICE_COOKIE, OPERATOR_FAILURES_IN_TOTAL, OPERATOR_FAILURES_PER_CLIENT } from '../../src/web/operator_guard.js';
import { startTestTool, TEST_ADMIN_TOKEN, type TestTool } from '../support/tool.js';

let tool: TestTool | undefined;
afterEach(async () => {
  await tool?.close();
  tool = undefined;
});

const api = (token: string, o: { cookie?: string; from?: string } = {}) => {
  const r = request(tool!.url).get('/api/admin/platforms').set('Authorization', `Bearer ${token}`);
  if (o.cookie) r.set('Cookie', o.cookie);
  if (o.from) r.set('X-Forwarded-For', o.from);
  return r;
};
const deviceCookie = (res: request.Response) => {
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${DEVICE_COOKIE}=`));
  assert.ok(set, 'a device cookie was set');
  return set.split(';')[0];
};
const signIn = (token: string, cookie?: string) => {
  const r = request(tool!.url).post('/admin/sign-in').type('form');
  if (cookie) r.set('Cookie', cookie);
  return r.send({ token, next: '/admin' });
};

// The limits live in the process, as in production: these tests run in order and build on each other.
describe('finding 16: wrong operator tokens are throttled, and nobody can lock the operator out', () => {
  test('behind a proxy without TRUST_PROXY (one address for everyone): the attacker waits, the operator’s device does not', async () => {
    tool = await startTestTool({ LABEL: 'app_operator_throttle' });
    const operator = await api(TEST_ADMIN_TOKEN);
    assert.equal(operator.status, 200);
    const device = deviceCookie(operator);

    for (let i = 0; i < OPERATOR_FAILURES_PER_CLIENT; i++) assert.equal((await api(`guess-${i}-0123456789abcdef`)).status, 401);
    const limited = await api('guess-next-0123456789abcdef');
    assert.equal(limited.status, 429, limited.text);
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal((await api(TEST_ADMIN_TOKEN)).status, 429, 'a client without a device cookie waits, even with the right token');
    assert.equal((await signIn(TEST_ADMIN_TOKEN)).status, 429, 'the console shares the limit');
    assert.equal((await api(TEST_ADMIN_TOKEN, { cookie: `${DEVICE_COOKIE}=forged.mac` })).status, 429, 'a forged device cookie is no way round it');

    // The legitimate path: the operator's device goes on working, through the API and the console.
    assert.equal((await api(TEST_ADMIN_TOKEN, { cookie: device })).status, 200);
    const session = await signIn(TEST_ADMIN_TOKEN, device);
    assert.equal(session.status, 303, session.text.slice(0, 200));
    assert.equal((await api('guess-with-device-0123456789', { cookie: device })).status, 401, 'a device’s own failures are still counted');
  });

  test('with TRUST_PROXY: each client is counted apart, and all clients together have a ceiling', async () => {
    tool = await startTestTool({ LABEL: 'app_operator_throttle_proxy', TRUST_PROXY: '1' });
    const operator = await api(TEST_ADMIN_TOKEN, { from: '203.0.113.1' });
    assert.equal(operator.status, 200);
    const device = deviceCookie(operator);

    for (let i = 0; i < OPERATOR_FAILURES_PER_CLIENT; i++) await api(`a-${i}-0123456789abcdef`, { from: '198.51.100.7' });
    assert.equal((await api('a-next-0123456789abcdef', { from: '198.51.100.7' })).status, 429, 'the guessing client waits');
    assert.equal((await api(TEST_ADMIN_TOKEN, { from: '198.51.100.8' })).status, 200, 'another client does not');

    // Many clients, a few guesses each: the total ceiling holds them all (every client without a device).
    let sent = 0;
    for (let c = 0; sent < OPERATOR_FAILURES_IN_TOTAL; c++) {
      for (let i = 0; i < OPERATOR_FAILURES_PER_CLIENT - 1 && sent < OPERATOR_FAILURES_IN_TOTAL; i++, sent++) {
        await api(`b-${c}-${i}-0123456789abcdef`, { from: `192.0.2.${c + 1}` });
      }
    }
    assert.equal((await api(TEST_ADMIN_TOKEN, { from: '198.51.100.200' })).status, 429, 'a new client waits once the total is reached');
    assert.equal((await api(TEST_ADMIN_TOKEN, { from: '198.51.100.200', cookie: device })).status, 200, 'the operator’s device does not');
  });
});
