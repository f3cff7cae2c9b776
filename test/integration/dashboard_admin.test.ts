import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { importContent } from '../../src/content/import.js';
import { listPlatforms } from '../../src/lti/platforms.js';
import { tenantId } from '../../src/lti/tenancy.js';
import { listVersions } from '../../src/recommend/index.js';
import { recordSimulatedLearners } from '../../src/recommend/simulate/activity.js';
import { plantedDataset } from '../unit/recommend/fixtures.js';
import { SIGN_IN_FAILURES } from '../../src/dashboard/admin/sign_in.js';
import { countDocs, startToolAndLms, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID, type ToolAndLms } from '../support/lti.js';
import { TEST_ADMIN_TOKEN } from '../support/tool.js';

let env: ToolAndLms;
before(async () => {
  env = await startToolAndLms({ LABEL: 'dashboard_admin' });
});
after(async () => env?.close());

const has = (text: string, re: RegExp) => assert.ok(re.test(text), `the page shows ${re}`);
const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** Signs in from its own client address (X-Forwarded-For is not trusted here, so all tests share one: keep failures few). */
async function signIn(): Promise<{ cookie: string; csrf: string }> {
  const res = await request(env.tool.url).post('/admin/sign-in').type('form').send({ token: TEST_ADMIN_TOKEN, next: '/admin/platforms' });
  assert.equal(res.status, 303, res.text.slice(0, 300));
  assert.equal(res.headers.location, '/admin/platforms');
  const cookie = String(res.headers['set-cookie']?.[0] ?? '');
  const page = await request(env.tool.url).get('/admin/platforms').set('Cookie', cookie.split(';')[0]);
  assert.equal(page.status, 200);
  return { cookie: cookie.split(';')[0], csrf: csrfIn(page.text) };
}

describe('operator sign-in', () => {
  test('the console sends people without a session to the sign-in page', async () => {
    const res = await request(env.tool.url).get('/admin/platforms');
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/admin/sign-in?next=%2Fadmin%2Fplatforms');
    const page = await request(env.tool.url).get('/admin/sign-in?lang=zh-Hans');
    has(page.text, /管理控制台登录/);
  });

  test('a session cookie that is HttpOnly, Secure, SameSite=Lax; stored hashed; expired by query', async () => {
    const res = await request(env.tool.url).post('/admin/sign-in').type('form').send({ token: TEST_ADMIN_TOKEN });
    const cookie = String(res.headers['set-cookie']?.[0] ?? '');
    assert.match(cookie, /^__Host-wf_admin=[\w-]{40,};/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /Secure/);
    assert.match(cookie, /SameSite=Lax/);
    const id = /=([^;]+)/.exec(cookie)![1];
    assert.equal(await countDocs('wf_admin_sessions', { _id: id }), 0, 'the raw id is never stored');
    assert.ok((await countDocs('wf_admin_sessions')) >= 1);
    const out = await request(env.tool.url).post('/admin/sign-out').set('Cookie', cookie.split(';')[0]);
    assert.equal(out.status, 303);
    const after = await request(env.tool.url).get('/admin/platforms').set('Cookie', cookie.split(';')[0]);
    assert.equal(after.status, 303, 'signed out: the old cookie opens nothing');
  });
});

describe('platforms', () => {
  test('every form post needs the session’s CSRF token', async () => {
    const { cookie, csrf } = await signIn();
    assert.ok(csrf.length >= 20);
    const [p] = await listPlatforms();
    for (const body of [{}, { _csrf: 'forged' }]) {
      const res = await request(env.tool.url).post(`/admin/platforms/${p._id}/disable`).set('Cookie', cookie).type('form').send(body);
      assert.equal(res.status, 403);
      has(res.text, /did not come from the admin console/);
    }
    assert.equal((await listPlatforms())[0].status, 'active', 'nothing changed');
  });

  test('add by hand (every problem listed), one-time link, dynamic registration approved in the console, disable, remove', async () => {
    const { cookie, csrf } = await signIn();
    const post = (path: string, body: Record<string, string> = {}) =>
      request(env.tool.url).post(path).set('Cookie', cookie).type('form').send({ _csrf: csrf, ...body });

    const bad = await post('/admin/platforms', { issuer: 'not a url', clientId: '', authUrl: 'x', tokenUrl: 'https://lms.example/token', jwksUrl: 'https://lms.example/jwks' });
    assert.equal(bad.status, 400);
    has(bad.text, /issuer must be an absolute http\(s\) URL/);
    has(bad.text, /clientId is required/);
    has(bad.text, /authUrl must be an absolute/);
    const added = await post('/admin/platforms', {
      issuer: 'https://moodle.example.edu', clientId: 'abc123', name: 'Example Moodle',
      authUrl: 'https://moodle.example.edu/mod/lti/auth.php', tokenUrl: 'https://moodle.example.edu/mod/lti/token.php',
      jwksUrl: 'https://moodle.example.edu/mod/lti/certs.php', deploymentIds: '4, 5',
    });
    assert.equal(added.status, 303, added.text.slice(0, 300));
    const page = await request(env.tool.url).get(added.headers.location).set('Cookie', cookie);
    has(page.text, /The platform was added and is active/);
    has(page.text, /Example Moodle/);

    const link = await post('/admin/platforms/registration-links', { note: 'for the biology faculty' });
    assert.equal(link.status, 200);
    has(link.text, /\/lti\/register\?invite=[\w-]+/);

    // The dev LMS opens the registration URL as Moodle does; the platform waits for approval.
    const reg = await request(env.tool.url).get('/lti/register').query({ openid_configuration: env.lms.openidConfigurationUrl, registration_token: env.lms.registrationToken() });
    assert.equal(reg.status, 200, reg.text.slice(0, 300));
    const pending = (await listPlatforms()).find((p) => p.source === 'dynamic')!;
    assert.equal(pending.status, 'pending');
    const listing = await request(env.tool.url).get('/admin/platforms').set('Cookie', cookie);
    has(listing.text, /pending approval/);
    assert.equal((await post(`/admin/platforms/${encodeURIComponent(pending._id)}/approve`)).status, 303);
    assert.equal((await listPlatforms()).find((p) => p._id === pending._id)?.status, 'active');

    assert.equal((await post(`/admin/platforms/${encodeURIComponent(pending._id)}/disable`)).status, 303);
    assert.equal((await listPlatforms()).find((p) => p._id === pending._id)?.status, 'disabled');
    assert.equal((await post(`/admin/platforms/${encodeURIComponent(pending._id)}/remove`)).status, 303);
    assert.equal((await listPlatforms()).find((p) => p._id === pending._id), undefined);
  });

  test('an LMS administrator sees and manages only their own platform', async () => {
    const { ltik, status, body } = await env.launchAs({ role: 'admin', user: '2', course: '2' });
    assert.equal(status, 200);
    has(body, /Administration/);
    has(body, /Test LMS/);
    assert.ok(!/Example Moodle/.test(body), 'another platform stays hidden');
    const other = (await listPlatforms()).find((p) => p.name === 'Example Moodle')!;
    const csrf = csrfIn(body);
    const res = await request(env.tool.url).post(`/admin/platforms/${other._id}/disable?ltik=${ltik}`).type('form').send({ _csrf: csrf });
    assert.equal(res.status, 403);
    const add = await request(env.tool.url).post(`/admin/platforms?ltik=${ltik}`).type('form').send({ _csrf: csrf, issuer: 'https://x.example' });
    assert.equal(add.status, 403, 'adding platforms is the operator’s');
    const student = await env.launchAs({ role: 'student', user: '4', course: '2' });
    assert.equal((await request(env.tool.url).get(`/admin/platforms?ltik=${student.ltik}`)).status, 403);
  });
});

describe('models, health, settings', () => {
  test('train with live progress over server-sent events, learning curve, promote, roll back', async () => {
    const { cookie, csrf } = await signIn();
    const tenant = tenantId(env.lms.issuer, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID);
    const courseId = 'c_dashboard_admin';
    const content = {
      format: 'wayfinder-content/1',
      skills: [0, 1, 2, 3].map((k) => ({ id: `s${k}`, name: `Skill ${k}` })),
      items: Array.from({ length: 24 }, (_, i) => ({ id: `i${i}`, title: `Item ${i}`, type: 'numeric', skills: [`s${i % 4}`], answer: { value: i } })),
      pathways: [],
    };
    await importContent(JSON.stringify(content), 'json', { tenantId: tenant, courseId }, 'test');
    await recordSimulatedLearners({ tenantId: tenant, courseId, issuer: env.lms.issuer }, plantedDataset(24, 7, 30));

    const empty = await request(env.tool.url).get('/admin/models').set('Cookie', cookie);
    has(empty.text, /No model versions yet/);
    const bad = await request(env.tool.url).post('/admin/models/train').set('Cookie', cookie).type('form').send({ _csrf: csrf, model: 'nope', tenantId: tenant, epochs: '0', promote: 'never' });
    assert.equal(bad.status, 400);
    has(bad.text, /choose a model/);
    has(bad.text, /epochs must be at least 1/);

    const versions: string[] = [];
    for (const run of [1, 2]) {
      const started = await request(env.tool.url).post('/admin/models/train').set('Cookie', cookie).type('form').send({ _csrf: csrf, model: 'matching', tenantId: tenant, courseId, epochs: '2', promote: 'never' });
      assert.equal(started.status, 303, started.text.slice(0, 300));
      const jobPage = await request(env.tool.url).get(started.headers.location).set('Cookie', cookie);
      has(jobPage.text, /<progress id="train-progress"/);
      const stream = await fetch(`${env.tool.url}${started.headers.location.split('?')[0]}/events`, { headers: { Cookie: cookie } });
      assert.match(stream.headers.get('content-type') ?? '', /text\/event-stream/);
      const text = await stream.text();
      assert.match(text, /event: epoch\ndata: .*"validAuc"/, `run ${run}`);
      const done = /event: done\ndata: (.*)\n/.exec(text);
      assert.ok(done, text.slice(-300));
      versions.push(JSON.parse(done[1]).version);
    }
    const page = await request(env.tool.url).get(`/admin/models?version=${versions[0]}`).set('Cookie', cookie);
    has(page.text, /<svg class="chart"[^>]*role="img"/);
    has(page.text, /Validation AUC per epoch/);
    assert.equal((page.text.match(/<circle class="dot"/g) ?? []).length, 2, 'one point per epoch');

    const post = (path: string) => request(env.tool.url).post(path).set('Cookie', cookie).type('form').send({ _csrf: csrf });
    assert.equal((await post(`/admin/models/${versions[0]}/promote`)).status, 303);
    assert.equal((await post(`/admin/models/${versions[1]}/promote`)).status, 303);
    const status = async () => Object.fromEntries((await listVersions({ tenantId: tenant })).map((v) => [v.version, v.status]));
    assert.deepEqual(await status(), { [versions[0]]: 'retired', [versions[1]]: 'active' });
    assert.equal((await post(`/admin/models/${versions[1]}/rollback`)).status, 303);
    assert.deepEqual(await status(), { [versions[0]]: 'active', [versions[1]]: 'retired' });
    const stale = await post(`/admin/models/${versions[1]}/rollback`);
    assert.equal(stale.status, 409, 'a stale page cannot roll back twice');
    assert.equal((await post('/admin/models/000000000000000000000000/promote')).status, 404);

    // Adapting the tenant's model to a course: needs the course, and the tenant's active model (none here).
    has(page.text, /<input id="adapt" name="adaptFrom" type="checkbox" value="tenant"/);
    const form = { _csrf: csrf, model: 'matching', tenantId: tenant, epochs: '2', promote: 'if-not-worse', adaptFrom: 'tenant' };
    const noCourse = await request(env.tool.url).post('/admin/models/train').set('Cookie', cookie).type('form').send(form);
    assert.equal(noCourse.status, 400);
    has(noCourse.text, /to adapt the tenant&#39;s model, give the course id/);
    const adapt = await request(env.tool.url).post('/admin/models/train').set('Cookie', cookie).type('form').send({ ...form, courseId });
    assert.equal(adapt.status, 303);
    const adaptEvents = await (await fetch(`${env.tool.url}${adapt.headers.location.split('?')[0]}/events`, { headers: { Cookie: cookie } })).text();
    assert.match(adaptEvents, /event: failed\ndata: .*has no active model to adapt from/);

    const health = await request(env.tool.url).get('/admin/health').set('Cookie', cookie);
    has(health.text, /The database answers/);
    has(health.text, /matching/);
  });

  test('health lists refused launches by reason; settings show no secrets', async () => {
    const { cookie } = await signIn();
    const refused = await env.launchAs({ role: 'student', user: '4', course: '2', deploymentId: 'unknown-deployment' });
    assert.notEqual(refused.status, 200);
    const health = await request(env.tool.url).get('/admin/health').set('Cookie', cookie);
    has(health.text, /<code>DEPLOYMENT_UNKNOWN<\/code><\/th><td>1<\/td>/);
    const settings = await request(env.tool.url).get('/admin/settings?lang=zh-Hans').set('Cookie', cookie);
    assert.equal(settings.status, 200);
    has(settings.text, /已设置（已隐藏）/);
    assert.ok(!settings.text.includes(TEST_ADMIN_TOKEN), 'the admin token is not shown');
    assert.ok(!settings.text.includes(env.tool.config.ltiKey), 'the LTI key is not shown');
    assert.ok(!/mongodb:\/\/[^<]*@/.test(settings.text), 'no credentials in the database URL');
  });

  test('LMS administrators get 403 on operator pages', async () => {
    const { ltik } = await env.launchAs({ role: 'admin', user: '2', course: '2' });
    for (const path of ['/admin/models', '/admin/health', '/admin/settings']) {
      assert.equal((await request(env.tool.url).get(`${path}?ltik=${ltik}`)).status, 403, path);
    }
  });
});

// Last: it locks this client address out of signing in for the rest of the window.
describe('rate limit', () => {
  test('wrong tokens are refused, then the address is rate-limited with a clear 429', async () => {
    const agent = () => request(env.tool.url).post('/admin/sign-in').type('form').set('Accept-Language', 'en');
    for (let i = 0; i < SIGN_IN_FAILURES; i++) {
      const res = await agent().send({ token: `wrong-${i}` });
      assert.equal(res.status, 401);
      has(res.text, /That admin token is not right/);
    }
    const limited = await agent().send({ token: TEST_ADMIN_TOKEN });
    assert.equal(limited.status, 429, 'even the right token waits');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    has(limited.text, /Too many failed sign-ins from your address\. Try again in \d+ minutes/);
  });
});
