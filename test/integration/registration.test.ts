import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { startTestLms, type DevLms } from '../support/lms.js';
import { startTestTool, TEST_ADMIN_TOKEN, type TestTool } from '../support/tool.js';

let tool: TestTool;
const lmss: DevLms[] = [];
before(async () => {
  tool = await startTestTool({ LABEL: 'registration' });
});
after(async () => {
  await Promise.all(lmss.map((l) => l.stop()));
  await tool.close();
});

const admin = () => request(tool.url);
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

async function newLms(opts: Parameters<typeof startTestLms>[1] = {}): Promise<DevLms> {
  const lms = await startTestLms(tool.url, opts);
  lmss.push(lms);
  return lms;
}

function registerUrl(lms: DevLms, extra = ''): string {
  return `/lti/register?openid_configuration=${encodeURIComponent(lms.openidConfigurationUrl)}&registration_token=${encodeURIComponent(lms.registrationToken())}${extra}`;
}

describe('LTI Dynamic Registration, with the simulator acting as Moodle', () => {
  test('registers pending, keeps the deployment id, and launches only after approval', async () => {
    const lms = await newLms();
    lms.setGrantableScopes(['https://purl.imsglobal.org/spec/lti-ags/scope/score', 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly']);
    const page = await admin().get(registerUrl(lms));
    assert.equal(page.status, 200, page.text);
    assert.match(page.text, /registered-?|must approve/i);
    assert.match(page.text, /\/static\/registered\.js/, 'the page posts org.imsglobal.lti.close to the LMS');

    const toolRecord = lms.tools().at(-1)!;
    const list = await admin().get('/api/admin/platforms').set(auth);
    const platform = (list.body.platforms as { _id: string; issuer: string; clientId: string; status: string; deployments: { id: string }[]; grantedScopes: string[]; source: string }[]).find(
      (p) => p.issuer === lms.issuer && p.clientId === toolRecord.clientId,
    );
    assert.ok(platform, 'the platform is stored');
    assert.equal(platform.status, 'pending');
    assert.equal(platform.source, 'dynamic');
    assert.deepEqual(platform.deployments.map((d) => d.id), [toolRecord.deploymentId]);
    assert.deepEqual(platform.grantedScopes.sort(), [
      'https://purl.imsglobal.org/spec/lti-ags/scope/score',
      'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
    ], 'only what the platform granted is kept');

    // Refused at login initiation already, with the reason on the page.
    await assert.rejects(lms.launch({ clientId: toolRecord.clientId, role: 'student' }), /answered 401: .*not yet approved by an administrator/);

    const approved = await admin().post(`/api/admin/platforms/${platform._id}/approve`).set(auth).send({});
    assert.equal(approved.status, 200);
    assert.equal(approved.body.platform.status, 'active');
    const ok = await lms.launch({ clientId: toolRecord.clientId, role: 'student' });
    assert.equal(ok.status, 200, ok.body.slice(0, 300));
    assert.equal(new URL(ok.url).pathname, '/student');
  });

  test('a one-time registration link activates at once and cannot be reused', async () => {
    const link = await admin().post('/api/admin/registration-links').set(auth).send({ note: 'Moodle test' });
    assert.equal(link.status, 201);
    const invite = new URL(link.body.url).searchParams.get('invite');
    const lms = await newLms();
    const page = await admin().get(registerUrl(lms, `&invite=${invite}`));
    assert.equal(page.status, 200, page.text);
    const toolRecord = lms.tools().at(-1)!;
    const launched = await lms.launch({ clientId: toolRecord.clientId, role: 'teacher' });
    assert.equal(launched.status, 200, launched.body.slice(0, 300));

    const other = await newLms();
    const reused = await admin().get(registerUrl(other, `&invite=${invite}`)).set('Accept', 'application/json');
    assert.equal(reused.status, 403);
    assert.match(reused.body.error.message, /already used or has expired/);
  });

  test('a registration that fails gives the one-time link back', async () => {
    const link = await admin().post('/api/admin/registration-links').set(auth).send({});
    const invite = new URL(link.body.url).searchParams.get('invite');
    const failed = await admin()
      .get(`/lti/register?openid_configuration=http%3A%2F%2F127.0.0.1%3A9%2F.well-known&invite=${invite}`)
      .set('Accept', 'application/json');
    assert.equal(failed.status, 502);
    const lms = await newLms();
    const page = await admin().get(registerUrl(lms, `&invite=${invite}`));
    assert.equal(page.status, 200, page.text);
    const launched = await lms.launch({ clientId: lms.tools().at(-1)!.clientId, role: 'student' });
    assert.equal(launched.status, 200, 'registered active through the link');
  });

  test('a missing openid_configuration gets a clear 400', async () => {
    const r = await admin().get('/lti/register').set('Accept', 'application/json');
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /openid_configuration/);
  });

  test('an unreachable platform configuration gets a 502 that says so', async () => {
    const r = await admin().get('/lti/register?openid_configuration=http%3A%2F%2F127.0.0.1%3A9%2F.well-known').set('Accept', 'application/json');
    assert.equal(r.status, 502);
    assert.match(r.body.error.message, /could not reach the platform/);
  });
});

describe('manual registration through the API', () => {
  const good = {
    issuer: 'https://moodle.example.edu',
    clientId: 'abc123',
    authUrl: 'https://moodle.example.edu/mod/lti/auth.php',
    tokenUrl: 'https://moodle.example.edu/mod/lti/token.php',
    jwksUrl: 'https://moodle.example.edu/mod/lti/certs.php',
    deploymentIds: ['4'],
  };

  test('adds an active platform with its deployments approved', async () => {
    const r = await admin().post('/api/admin/platforms').set(auth).send(good);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.platform.status, 'active');
    assert.deepEqual(r.body.platform.deployments.map((d: { id: string; status: string }) => [d.id, d.status]), [['4', 'approved']]);
  });

  test('a duplicate issuer + client id is 409', async () => {
    const r = await admin().post('/api/admin/platforms').set(auth).send(good);
    assert.equal(r.status, 409);
    assert.match(r.body.error.message, /already registered/);
  });

  test('bad URLs are 400 naming each field', async () => {
    const r = await admin().post('/api/admin/platforms').set(auth).send({ ...good, clientId: 'x', authUrl: 'not a url', jwksUrl: 'ftp://x' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'VALIDATION_FAILED');
    assert.match(r.body.error.message, /authUrl: authUrl must be an absolute http\(s\) URL/);
    assert.match(r.body.error.message, /jwksUrl/);
  });

  test('no token is 401, a wrong token is 401', async () => {
    assert.equal((await admin().get('/api/admin/platforms')).status, 401);
    const wrong = await admin().get('/api/admin/platforms').set('Authorization', 'Bearer wrong-token-wrong-token');
    assert.equal(wrong.status, 401);
    assert.match(wrong.body.error.message, /not valid/);
  });
});

test('the Canvas JSON configuration has every field Canvas requires', async () => {
  const r = await admin().get('/lti/canvas.json');
  assert.equal(r.status, 200);
  const c = r.body;
  for (const field of ['title', 'description', 'oidc_initiation_url', 'target_link_uri', 'scopes', 'public_jwk_url', 'extensions']) {
    assert.ok(c[field], `${field} is present`);
  }
  assert.equal(c.oidc_initiation_url, `${tool.url}/lti/login`);
  assert.equal(c.public_jwk_url, `${tool.url}/lti/keys`);
  const ext = c.extensions[0];
  assert.equal(ext.platform, 'canvas.instructure.com');
  assert.ok(['public', 'name_only', 'email_only', 'anonymous'].includes(ext.privacy_level));
  for (const p of ext.settings.placements) {
    assert.ok(p.placement && ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'].includes(p.message_type) && p.target_link_uri);
  }
  assert.ok(c.scopes.includes('https://purl.imsglobal.org/spec/lti-ags/scope/score'));
});
