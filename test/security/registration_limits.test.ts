// Issue 14, finding 11 — anonymous writes without limits: each /lti/register call created a
// pending platform (key generation and writes), each login wrote two documents, each refused
// launch one document kept 7 days. Now: a per-address limit on /lti/register (429 with
// Retry-After), at most MAX_PENDING uninvited registrations waiting, refused launches counted per
// hour and reason and kept two days. Logins: registration_login_limit.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { runExpiry } from '../../src/db/expiry.js';
import { recentLaunchFailures } from '../../src/lti/launch_failures.js';
import { MAX_PENDING } from '../../src/lti/registration.js';
import { startTestLms, type DevLms } from '../support/lms.js';
import { countDocs, startToolAndLms, type ToolAndLms } from '../support/lti.js';
import { TEST_ADMIN_TOKEN } from '../support/tool.js';

let env: ToolAndLms;
let other: DevLms;
before(async () => {
  env = await startToolAndLms({ LABEL: 'sec-limits', TRUST_PROXY: 'loopback' });
  other = await startTestLms(env.tool.url);
});
after(async () => {
  await other.stop();
  await env.close();
});

const tool = () => request(env.tool.url);
const registerFrom = (address: string, lms: DevLms, extra = '') =>
  tool()
    .get(`/lti/register?openid_configuration=${encodeURIComponent(lms.openidConfigurationUrl)}&registration_token=${encodeURIComponent(lms.registrationToken())}${extra}`)
    .set('X-Forwarded-For', address)
    .set('Accept', 'application/json');

describe('finding 11: limits on anonymous registration, login and refused launches', () => {
  test('/lti/register: 10 attempts per address in 10 minutes, then 429 with Retry-After; other addresses still register', async () => {
    const attacker = '203.0.113.7';
    for (let i = 0; i < 10; i++) {
      const r = await tool().get('/lti/register?openid_configuration=http%3A%2F%2F127.0.0.1%3A9%2F').set('X-Forwarded-For', attacker).set('Accept', 'application/json');
      assert.equal(r.status, 502, `attempt ${i + 1} is tried`);
    }
    const refused = await registerFrom(attacker, other);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'RATE_LIMITED');
    assert.match(refused.body.error.message, /too many registration attempts from your address; try again in \d+ s/);
    assert.ok(Number(refused.headers['retry-after']) > 500, `Retry-After ${refused.headers['retry-after']}`);

    const ok = await registerFrom('198.51.100.20', other);
    assert.equal(ok.status, 200, ok.text);
  });

  test('/lti/register: an IPv6 client is counted by its /64, so rotating addresses inside it does not help', async () => {
    for (let i = 1; i <= 10; i++) {
      const r = await tool().get('/lti/register?openid_configuration=http%3A%2F%2F127.0.0.1%3A9%2F').set('X-Forwarded-For', `2001:db8:7:7::${i.toString(16)}`).set('Accept', 'application/json');
      assert.equal(r.status, 502);
    }
    const refused = await registerFrom('2001:db8:7:7:ffff:1:2:3', other);
    assert.equal(refused.status, 429);
    const neighbour = await registerFrom('2001:db8:7:8::1', other);
    assert.equal(neighbour.status, 200, 'the next /64 is someone else');
  });

  test(`at most ${MAX_PENDING} uninvited registrations wait for approval; a one-time link still registers`, async () => {
    const pendingNow = async () => {
      const list = await tool().get('/api/admin/platforms').set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
      return (list.body.platforms as { status: string }[]).filter((p) => p.status === 'pending').length;
    };
    let n = await pendingNow();
    for (let i = 0; n < MAX_PENDING; i++, n++) {
      const r = await registerFrom(`198.18.${Math.floor(i / 200)}.${i % 200}`, other);
      assert.equal(r.status, 200, r.text);
    }
    const before = other.tools().length;
    const refused = await registerFrom('198.18.9.9', other);
    assert.equal(refused.status, 429);
    assert.match(refused.body.error.message, new RegExp(`${MAX_PENDING} registrations already wait for approval`));
    assert.equal(other.tools().length, before, 'refused before the platform was asked to register anything');
    assert.equal(await pendingNow(), MAX_PENDING);

    const link = await tool().post('/api/admin/registration-links').set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`).send({});
    const invite = new URL(link.body.url).searchParams.get('invite');
    const invited = await registerFrom('198.18.9.10', other, `&invite=${invite}`);
    assert.equal(invited.status, 200, invited.text);
  });

  test('refused launches are counted per hour and reason (bounded), kept two days, and real launches still work', async () => {
    const docsBefore = await countDocs('wf_launch_failure_counts');
    for (let batch = 0; batch < 6; batch++) {
      await Promise.all(Array.from({ length: 50 }, () => tool().post('/lti/launch').type('form').send({ id_token: 'not-a-jwt', state: 'x' })));
    }
    const docsAfter = await countDocs('wf_launch_failure_counts');
    assert.ok(docsAfter - docsBefore <= 2, `300 refusals of one reason made ${docsAfter - docsBefore} documents`);
    const counted = (await recentLaunchFailures(24)).find((f) => f.reason === 'ID_TOKEN_MALFORMED');
    assert.ok(counted && counted.count >= 300, `the health page counts them: ${JSON.stringify(counted)}`);

    const launched = await env.launchAs({ role: 'student' });
    assert.equal(launched.status, 200);

    await runExpiry(new Date(Date.now() + 49 * 3600 * 1000));
    assert.equal(await countDocs('wf_launch_failure_counts'), 0, 'gone after two days');
  });
});
