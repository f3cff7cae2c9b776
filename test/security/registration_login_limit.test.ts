// Issue 14, finding 11 — each anonymous login wrote two documents (ltijs's state and the login
// record) without any limit. Now at most 1200 logins per client address in 10 minutes, then 429
// with Retry-After.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { countDocs, startToolAndLms, TEST_CLIENT_ID, type ToolAndLms } from '../support/lti.js';

let env: ToolAndLms;
before(async () => {
  env = await startToolAndLms({ LABEL: 'sec-login-limit', TRUST_PROXY: 'loopback' });
});
after(async () => {
  await env.close();
});

const tool = () => request(env.tool.url);

describe('finding 11: logins are limited per client address', () => {
  test('/lti/login: 1200 per address in 10 minutes, then 429; launches from other addresses go on', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const url = new URL('/lti/login', env.tool.url);
    // A registered platform's public login parameters: each such login makes the tool write.
    const form = new URLSearchParams({ iss: env.lms.issuer, client_id: TEST_CLIENT_ID, login_hint: 'u1', target_link_uri: `${env.tool.url}/lti/launch` }).toString();
    const login = () =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(url, { method: 'POST', agent, headers: { 'x-forwarded-for': '203.0.113.8', 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(form);
      });
    const statuses: number[] = [];
    for (let batch = 0; batch < 1200 / 50; batch++) statuses.push(...(await Promise.all(Array.from({ length: 50 }, login))));
    agent.destroy();
    assert.ok(!statuses.includes(429), 'the first 1200 are answered as usual');
    assert.ok(statuses.every((s) => s === 302), `each login went to the platform: ${[...new Set(statuses)]}`);
    const states = await countDocs('states');
    const refused = await tool().post('/lti/login').set('X-Forwarded-For', '203.0.113.8').set('Accept', 'application/json').type('form').send(form);
    assert.equal(refused.status, 429);
    assert.match(refused.body.error.message, /too many logins from your address/);
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.equal(await countDocs('states'), states, 'the refused login wrote nothing');

    const launched = await env.launchAs({ role: 'student' });
    assert.equal(launched.status, 200, 'a real launch (login and launch) from another address works');
  });
});
