// Issue 14, finding 3 — anonymous SSRF through /lti/register: the tool fetched any
// openid_configuration URL (with the caller's Bearer token), POSTed to any registration_endpoint,
// echoed remote error bodies, and let a data: URL pass the same-origin check.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { checkedAddresses, platformRequest } from '../../src/lti/platform_http.js';
import { startTestLms, type DevLms } from '../support/lms.js';
import { json, startInternalService, type InternalService } from '../support/internal_service.js';
import { startTestTool, TEST_ADMIN_TOKEN, type TestTool } from '../support/tool.js';

/** The tool's own listening address (its PUBLIC_URL may be a name that does not resolve here). */
const local = (tool: TestTool) => `http://127.0.0.1:${tool.config.port}`;

// Each attempt from its own client address (the tools trust the loopback proxy), so the
// per-address limit on /lti/register (registration_limits.test.ts) stays out of the way.
let client = 0;
const register = (tool: TestTool, openidConfiguration: string) =>
  request(local(tool))
    .get(`/lti/register?openid_configuration=${encodeURIComponent(openidConfiguration)}&registration_token=caller-token`)
    .set('X-Forwarded-For', `198.51.100.${++client}`)
    .set('Accept', 'application/json');

/** A configuration that would register if the tool fetched it. */
const configAt = (origin: string) => ({
  issuer: origin,
  authorization_endpoint: `${origin}/auth`,
  token_endpoint: `${origin}/token`,
  jwks_uri: `${origin}/jwks`,
  registration_endpoint: `${origin}/register`,
});

describe('finding 3 (production): only https, only public addresses, checked before connecting', () => {
  let tool: TestTool;
  let internal: InternalService;
  const adminToken = randomBytes(24).toString('hex');
  before(async () => {
    internal = await startInternalService((req, res) => json(200, configAt(`http://127.0.0.1:${internal.port}`))(req, res));
    tool = await startTestTool({
      LABEL: 'sec-ssrf-prod',
      TRUST_PROXY: 'loopback',
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://wayfinder.example.edu',
      LTI_KEY: randomBytes(24).toString('hex'),
      ADMIN_TOKEN: adminToken,
      LOG_LEVEL: 'silent',
    });
  });
  after(async () => {
    await tool.close();
    await internal.close();
  });

  test('plain http:// to an internal service is refused, and the service gets no request', async () => {
    const r = await register(tool, `${internal.url}/.well-known/openid-configuration`);
    assert.equal(r.status, 502);
    assert.match(r.body.error.message, /only https:\/\/ URLs are accepted in production/);
    assert.equal(internal.hits.length, 0, 'nothing reached the internal service (and no Bearer token was sent to it)');
  });

  test('https:// to loopback, private, link-local, CGNAT, unique-local and IPv4-mapped addresses is refused before connecting', async () => {
    const port = internal.port;
    for (const target of [
      `https://127.0.0.1:${port}/`,
      `https://localhost:${port}/`, // a name: resolved first, every address checked
      `https://[::1]:${port}/`,
      `https://[::ffff:127.0.0.1]:${port}/`,
      'https://10.0.0.5/',
      'https://172.16.3.4/',
      'https://192.168.1.1/',
      'https://169.254.169.254/latest/meta-data/',
      'https://100.64.0.1/',
      'https://[fd00::1]/',
      'https://[fe80::1]/',
      'https://0.0.0.0/',
    ]) {
      const r = await register(tool, target);
      assert.equal(r.status, 502, target);
      assert.match(r.body.error.message, /is not a public address \(refused in production\)/, target);
    }
    assert.equal(internal.hits.length, 0);
  });

  test('a data: URL cannot pass the same-origin check (origin "null" equals "null")', async () => {
    const issuer = 'data:text/plain,x';
    const config = { ...configAt(issuer), issuer };
    const r = await register(tool, `data:application/json,${encodeURIComponent(JSON.stringify(config))}`);
    assert.equal(r.status, 502);
    assert.match(r.body.error.message, /only https:\/\/ URLs are accepted \(got data:\)/);
    const list = await request(local(tool)).get('/api/admin/platforms').set('Authorization', `Bearer ${adminToken}`);
    assert.deepEqual(list.body.platforms, [], 'nothing was registered');
  });

  test('the legitimate path: a platform on a public https address passes the same checks', async () => {
    const publicDns = async () => [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 }];
    const ok = await checkedAddresses(new URL('https://moodle.example.edu/mod/lti/openid-configuration.php'), { production: true, resolve: publicDns });
    assert.equal(ok.length, 2);
    // One bad address among good ones is enough to refuse: every address is checked.
    const mixed = async () => [{ address: '93.184.216.34', family: 4 }, { address: '10.1.1.1', family: 4 }];
    await assert.rejects(checkedAddresses(new URL('https://moodle.example.edu/'), { production: true, resolve: mixed }), /resolves to 10\.1\.1\.1, which is not a public address/);
  });
});

describe('finding 3 (development and tests): http only to loopback, no redirects, no echoed bodies, a deadline, a size cap', () => {
  let tool: TestTool;
  let lms: DevLms;
  const services: InternalService[] = [];
  const service = async (handler: Parameters<typeof startInternalService>[0]) => {
    const s = await startInternalService(handler);
    services.push(s);
    return s;
  };
  before(async () => {
    tool = await startTestTool({ LABEL: 'sec-ssrf-dev', TRUST_PROXY: 'loopback' });
    lms = await startTestLms(tool.url);
  });
  after(async () => {
    await lms.stop();
    await Promise.all(services.map((s) => s.close()));
    await tool.close();
  });

  test('a remote error body is never shown to the caller', async () => {
    const secret = 'INTERNAL-ONLY root password hunter2';
    const s = await service((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(secret);
    });
    const r = await register(tool, `${s.url}/admin`);
    assert.equal(r.status, 502);
    assert.match(r.body.error.message, /refused the OpenID configuration \(HTTP 500\)/);
    assert.doesNotMatch(r.text, /hunter2|INTERNAL-ONLY/);

    // Nor a success body that is not a configuration: only the missing field names are named.
    const html = await service((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: secret, note: secret }));
    });
    const r2 = await register(tool, `${html.url}/`);
    assert.equal(r2.status, 502);
    assert.doesNotMatch(r2.text, /hunter2|INTERNAL-ONLY/);
    // A known refusal code (Moodle's plain-text body) is still passed on.
    const used = await service((_req, res) => {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('token_already_used');
    });
    const r3 = await register(tool, `${used.url}/`);
    assert.match(r3.body.error.message, /\(HTTP 401: token_already_used\)/);
  });

  test('a redirect is not followed', async () => {
    const target = await service(json(200, {}));
    const redirector = await service((_req, res) => {
      res.writeHead(302, { location: `${target.url}/.well-known/openid-configuration` }).end();
    });
    const r = await register(tool, `${redirector.url}/go`);
    assert.equal(r.status, 502);
    assert.match(r.body.error.message, /answered with a redirect \(HTTP 302\); Wayfinder follows none/);
    assert.equal(target.hits.length, 0);
  });

  test('an answer larger than 256 KiB is cut off', async () => {
    const s = await service((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"pad":"');
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 16; i++) res.write(chunk);
      res.end('"}');
    });
    const r = await register(tool, `${s.url}/`);
    assert.equal(r.status, 502);
    assert.match(r.body.error.message, /the answer is larger than 256 KiB/);
  });

  test('a platform that never answers is given up after 10 s', async () => {
    const s = await service(() => {
      // never answers
    });
    const started = Date.now();
    const r = await register(tool, `${s.url}/`);
    const took = Date.now() - started;
    assert.equal(r.status, 502);
    assert.match(r.body.error.message, /no answer within 10 s/);
    assert.ok(took >= 9_500 && took < 15_000, `gave up after ${took} ms`);
  });

  test('plain http:// to anything but loopback is refused outside production too', async () => {
    const r = await register(tool, 'http://10.20.30.40/.well-known/openid-configuration');
    assert.equal(r.status, 502);
    assert.match(r.body.error.message, /plain http:\/\/ is accepted only to this machine/);
  });

  test('the legitimate path: Moodle-style dynamic registration still works', async () => {
    const r = await request(tool.url).get(
      `/lti/register?openid_configuration=${encodeURIComponent(lms.openidConfigurationUrl)}&registration_token=${encodeURIComponent(lms.registrationToken())}`,
    );
    assert.equal(r.status, 200, r.text);
    const toolRecord = lms.tools().at(-1)!;
    const list = await request(tool.url).get('/api/admin/platforms').set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
    const p = (list.body.platforms as { issuer: string; clientId: string; status: string; deployments: { id: string }[] }[]).find((x) => x.clientId === toolRecord.clientId);
    assert.equal(p?.issuer, lms.issuer);
    assert.equal(p?.status, 'pending');
    assert.deepEqual(p?.deployments.map((d) => d.id), [toolRecord.deploymentId]);
  });
});

describe('finding 3: DNS rebinding cannot switch the checked address', () => {
  test('the host is resolved once and the socket connects to the address that was checked', async () => {
    const s = await startInternalService(json(200, { ok: true }));
    try {
      let lookups = 0;
      // First answer: loopback (allowed over http outside production). Any later answer would
      // point elsewhere, as a rebinding DNS server does between check and connect.
      const rebinding = async () => (lookups++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.9.9.9', family: 4 }]);
      const res = await platformRequest(`http://rebind.example:${s.port}/x`, {}, { production: false, resolve: rebinding });
      assert.equal(res.status, 200);
      assert.equal(lookups, 1, 'resolved exactly once');
      assert.equal(s.hits.length, 1, 'the request reached the checked address');
    } finally {
      await s.close();
    }
  });
});
