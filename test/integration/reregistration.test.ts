// Issue 15, items 3 and 4 and a smaller point: Moodle's "update" (same URL, same client id,
// the registration posted again) updates the platform instead of answering 409; the logo that
// logo_uri advertises and a /favicon.ico exist; a disabled platform's refusal says "disabled".
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { SUPPORTED_SCOPES } from '../../src/devlms/index.js';
import { toolRegistration } from '../../src/lti/registration.js';
import { startInternalService } from '../support/internal_service.js';
import { startTestLms, type DevLms } from '../support/lms.js';
import { startTestTool, TEST_ADMIN_TOKEN, type TestTool } from '../support/tool.js';

let tool: TestTool;
const lmss: DevLms[] = [];
before(async () => {
  tool = await startTestTool({ LABEL: 'reregistration', TRUST_PROXY: 'loopback' });
});
after(async () => {
  await Promise.all(lmss.map((l) => l.stop()));
  await tool.close();
});

const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const SCORE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
const NRPS = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';

interface Platform {
  _id: string;
  issuer: string;
  clientId: string;
  status: string;
  grantedScopes: string[];
  deployments: { id: string; status: string }[];
}

async function newLms(): Promise<DevLms> {
  const lms = await startTestLms(tool.url);
  lmss.push(lms);
  return lms;
}
// Each registration from its own client address: the per-address limit is tested in test/security/.
let client = 0;
const registerPage = (lms: DevLms, token: string, extra = '') =>
  request(tool.url)
    .get(`/lti/register?openid_configuration=${encodeURIComponent(lms.openidConfigurationUrl)}&registration_token=${encodeURIComponent(token)}${extra}`)
    .set('X-Forwarded-For', `198.51.100.${++client}`);
const platformsOf = async (lms: DevLms): Promise<Platform[]> => {
  const list = await request(tool.url).get('/api/admin/platforms').set(auth);
  return (list.body.platforms as Platform[]).filter((p) => p.issuer === lms.issuer);
};
/** Registers a new tool in `lms` (dynamically) and, unless told otherwise, approves it. */
async function registered(lms: DevLms, approve = true): Promise<{ clientId: string; deploymentId: string; platform: Platform }> {
  const page = await registerPage(lms, lms.registrationToken());
  assert.equal(page.status, 200, page.text);
  const { clientId, deploymentId } = lms.tools().at(-1)!;
  let [platform] = await platformsOf(lms);
  if (approve) platform = (await request(tool.url).post(`/api/admin/platforms/${platform._id}/approve`).set(auth).send({})).body.platform;
  return { clientId, deploymentId, platform };
}

describe("re-registration (Moodle's update: same URL, same client id)", () => {
  test('an approved platform is updated in place: new scopes, same deployment, still active, launches go on', async () => {
    const lms = await newLms();
    lms.setGrantableScopes([SCORE]);
    const first = await registered(lms);
    assert.deepEqual(first.platform.grantedScopes, [SCORE]);
    assert.equal((await lms.launch({ clientId: first.clientId, role: 'student' })).status, 200);

    lms.setGrantableScopes([SCORE, NRPS]);
    const page = await registerPage(lms, lms.registrationToken({ update: first.clientId }));
    assert.equal(page.status, 200, page.text);
    assert.match(page.text, /Wayfinder&#39;s registration is updated|Wayfinder's registration is updated/);
    assert.match(page.text, new RegExp(`already registered with client id ${first.clientId}`));
    assert.match(page.text, /The platform is active/);
    assert.match(page.text, /\/static\/registered\.js/, 'the page still closes the LMS frame');

    const after = await platformsOf(lms);
    assert.equal(after.length, 1, 'no second platform');
    assert.equal(after[0]._id, first.platform._id);
    assert.equal(after[0].status, 'active');
    assert.deepEqual(after[0].grantedScopes.sort(), [SCORE, NRPS].sort());
    assert.deepEqual(after[0].deployments.map((d) => [d.id, d.status]), [[first.deploymentId, 'approved']]);
    assert.equal(lms.tool(first.clientId)!.deploymentId, first.deploymentId, 'the LMS kept client id and deployment');
    assert.equal((await lms.launch({ clientId: first.clientId, role: 'student' })).status, 200);
  });

  test("the dev LMS's admin page re-registers the same way (the 'As: an update of …' choice)", async () => {
    const lms = await newLms();
    const first = await registered(lms);
    const admin = await request(lms.url).post('/dev/lms/admin/register').type('form').send({ url: `${tool.url}/lti/register`, update: first.clientId });
    assert.equal(admin.status, 200);
    const frameUrl = /<iframe id="registration" src="([^"]+)"/.exec(admin.text)?.[1].replace(/&amp;/g, '&');
    assert.ok(frameUrl, 'the admin page frames the tool');
    const page = await request(tool.url).get(new URL(frameUrl).pathname + new URL(frameUrl).search).set('X-Forwarded-For', '198.51.100.250');
    assert.equal(page.status, 200, page.text);
    assert.match(page.text, /registration is updated/);
    assert.equal(lms.tools().length, 2, 'the default tool and the one registered: no third');
    assert.equal((await platformsOf(lms)).length, 1);
  });

  test('a new deployment brought by an update waits for approval; the known one keeps working', async () => {
    const lms = await newLms();
    const first = await registered(lms);
    lms.updateTool(first.clientId, { deploymentId: '77' });
    const page = await registerPage(lms, lms.registrationToken({ update: first.clientId }));
    assert.equal(page.status, 200, page.text);
    assert.match(page.text, /the new deployment 77 wait until an administrator/);
    const [p] = await platformsOf(lms);
    assert.equal(p.status, 'active');
    assert.deepEqual(p.deployments.map((d) => [d.id, d.status]).sort(), [[first.deploymentId, 'approved'], ['77', 'pending']].sort());
    const refused = await lms.launch({ clientId: first.clientId, role: 'student' });
    assert.equal(refused.status, 400);
    assert.match(refused.body, /deployment 77 .*not approved yet/);
    lms.updateTool(first.clientId, { deploymentId: first.deploymentId });
    assert.equal((await lms.launch({ clientId: first.clientId, role: 'student' })).status, 200);
  });

  test('a pending platform updated stays pending; a one-time link makes the update active', async () => {
    const lms = await newLms();
    const first = await registered(lms, false);
    const page = await registerPage(lms, lms.registrationToken({ update: first.clientId }));
    assert.equal(page.status, 200, page.text);
    assert.match(page.text, /must approve this registration/);
    assert.equal((await platformsOf(lms))[0].status, 'pending');

    const link = await request(tool.url).post('/api/admin/registration-links').set(auth).send({});
    const invite = new URL(link.body.url).searchParams.get('invite');
    const invited = await registerPage(lms, lms.registrationToken({ update: first.clientId }), `&invite=${invite}`);
    assert.equal(invited.status, 200, invited.text);
    assert.equal((await platformsOf(lms))[0].status, 'active');
    assert.equal((await lms.launch({ clientId: first.clientId, role: 'student' })).status, 200);
  });

  test('a disabled platform: its refusal says disabled (not "not yet approved"), and an update does not enable it', async () => {
    const lms = await newLms();
    const first = await registered(lms);
    const disabled = await request(tool.url).post(`/api/admin/platforms/${first.platform._id}/disable`).set(auth).send({});
    assert.equal(disabled.status, 200);
    await assert.rejects(lms.launch({ clientId: first.clientId, role: 'student' }), (err: Error) => {
      assert.match(err.message, /disabled in Wayfinder; its operator must enable it again/);
      assert.doesNotMatch(err.message, /not yet approved/);
      return true;
    });
    const page = await registerPage(lms, lms.registrationToken({ update: first.clientId }));
    assert.equal(page.status, 200, page.text);
    assert.match(page.text, /stays disabled: only Wayfinder&#39;s operator|stays disabled: only Wayfinder's operator/);
    assert.equal((await platformsOf(lms))[0].status, 'disabled');
  });

  test('an update that changes the key set sends the platform back to approval and ends its sessions', async () => {
    // The LMS's origin serves its configuration; from `moved` on, with another key set URL.
    let moved = false;
    const front = await startInternalService((req, res) => {
      fetch(`${lms.url}${req.url}`)
        .then(async (r) => {
          const config = (await r.json()) as { jwks_uri: string };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(moved ? { ...config, jwks_uri: `${config.jwks_uri}?set=2` } : config));
        })
        .catch(() => res.writeHead(502).end());
    });
    const lms = await startTestLms(tool.url, { issuer: front.url });
    lmss.push(lms);
    try {
      const viaFront = (token: string) =>
        request(tool.url)
          .get(`/lti/register?openid_configuration=${encodeURIComponent(`${front.url}/.well-known/openid-configuration`)}&registration_token=${encodeURIComponent(token)}`)
          .set('X-Forwarded-For', `198.51.100.${++client}`);
      assert.equal((await viaFront(lms.registrationToken())).status, 200);
      const { clientId } = lms.tools().at(-1)!;
      const [p] = await platformsOf(lms);
      await request(tool.url).post(`/api/admin/platforms/${p._id}/approve`).set(auth).send({});
      const launched = await lms.launch({ clientId, role: 'student' });
      assert.equal(launched.status, 200);
      const ltik = new URL(launched.url).searchParams.get('ltik')!;
      assert.equal((await request(tool.url).get(`/student?ltik=${encodeURIComponent(ltik)}`)).status, 200);

      moved = true;
      const page = await viaFront(lms.registrationToken({ update: clientId }));
      assert.equal(page.status, 200, page.text);
      assert.match(page.text, /must approve this registration/);
      const [after] = await platformsOf(lms);
      assert.equal(after.status, 'pending');
      assert.equal((after as Platform & { jwksUrl: string }).jwksUrl, `${lms.jwksUrl}?set=2`);
      assert.equal((await request(tool.url).get(`/student?ltik=${encodeURIComponent(ltik)}`)).status, 401, 'the session ended');
    } finally {
      await front.close();
    }
  });

  test('an update token for a tool the LMS does not have is refused by the LMS, and the tool says so', async () => {
    const lms = await newLms();
    const r = await registerPage(lms, lms.registrationToken({ update: 'no-such-client' })).set('Accept', 'application/json');
    assert.equal(r.status, 502);
    assert.match(r.body.error.message, /refused the registration \(HTTP 400\)/);
    assert.deepEqual(lms.tools().map((t) => t.scopes.length), [SUPPORTED_SCOPES.length], 'the LMS still has only its default tool');
  });
});

describe('the logo logo_uri advertises, and /favicon.ico', () => {
  test('logo_uri answers an SVG; a PNG sits beside it; /favicon.ico is an icon', async () => {
    const logoUri = new URL(toolRegistration(tool.url, []).logo_uri);
    const svg = await request(tool.url).get(logoUri.pathname);
    assert.equal(svg.status, 200);
    assert.match(svg.headers['content-type'], /^image\/svg\+xml/);
    assert.match(String(svg.body ?? svg.text), /<svg[^>]*viewBox="0 0 64 64"/);
    const png = await request(tool.url).get(logoUri.pathname.replace(/\.svg$/, '.png')).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    assert.equal(png.status, 200);
    assert.match(png.headers['content-type'], /^image\/png/);
    const bytes = png.body as Buffer;
    assert.deepEqual([...bytes.subarray(1, 4)], [...Buffer.from('PNG')]);
    assert.equal(bytes.readUInt32BE(16), 256, 'width 256');
    const ico = await request(tool.url).get('/favicon.ico');
    assert.equal(ico.status, 200);
    assert.match(ico.headers['content-type'], /^image\/(x-icon|vnd\.microsoft\.icon)/);
  });
});
