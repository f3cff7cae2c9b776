import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { startToolProcess, type ToolProcess } from '../support/tool_process.js';
import { TEST_ADMIN_TOKEN } from '../support/tool.js';

/**
 * Finding 1 (critical): one anonymous request ended the process. ltijs answered every method on
 * every /lti/* path, and `res.clearCookie('state' + state)` with a state that is no valid cookie
 * name threw inside its own catch block: an unhandled rejection, and Node exited. The tool runs
 * here as its own process (`wayfinder serve`), so "the process survived" means exactly that.
 */
let tool: ToolProcess;
const ISSUER = 'https://lms.crash.example';
before(async () => {
  tool = await startToolProcess({ LABEL: 'crash' });
  // A registered platform, so logins naming it get as far into ltijs as they can.
  const r = await fetch(`${tool.url}/api/admin/platforms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ issuer: ISSUER, clientId: 'c1', authUrl: `${ISSUER}/auth`, tokenUrl: `${ISSUER}/token`, jwksUrl: `${ISSUER}/jwks`, deploymentIds: ['1'] }),
  });
  assert.equal(r.status, 201, await r.text());
});
after(async () => tool.stop());

async function healthy(): Promise<void> {
  assert.equal(tool.process.exitCode, null, `the tool process exited:\n${tool.output().slice(-2000)}`);
  const r = await fetch(`${tool.url}/healthz`);
  assert.equal(r.status, 200);
}

const FAKE_JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.eyJpc3MiOiJodHRwczovL2xtcy5jcmFzaC5leGFtcGxlIn0.c2ln';
type Body = { name: string; type?: string; body?: string; query?: string; headers?: Record<string, string> };
const BODIES: Body[] = [
  { name: 'state with a space', type: 'application/x-www-form-urlencoded', body: 'state=a%20b' },
  { name: 'state with a space and an id_token', type: 'application/x-www-form-urlencoded', body: `state=a%20b&id_token=${FAKE_JWT}` },
  { name: 'state with ; and a garbage id_token', type: 'application/x-www-form-urlencoded', body: 'state=a%3Bb%0D%0A&id_token=x.y.z' },
  { name: 'state twice', type: 'application/x-www-form-urlencoded', body: 'state=x&state=a%20b&id_token=x' },
  { name: 'JSON with objects for strings', type: 'application/json', body: JSON.stringify({ state: 'a b', id_token: { $gt: '' }, iss: { $gt: '' }, login_hint: 'x', target_link_uri: 'http://x' }) },
  { name: 'malformed JSON', type: 'application/json', body: '{"state":' },
  { name: 'text/plain', type: 'text/plain', body: 'state=a b&id_token=x' },
  { name: 'query state, garbage ltik and bearer', query: '?state=a%20b&ltik=garbage', headers: { authorization: 'Bearer garbage' } },
  { name: 'LTIK-AUTH-V1 header', headers: { authorization: 'LTIK-AUTH-V1 Token=garbage, Additional=Bearer x' } },
  { name: 'a login naming the platform with a space in the target', query: `?iss=${encodeURIComponent(ISSUER)}&client_id=c1&login_hint=x&target_link_uri=a%20b&state=a%20b` },
];
const PATHS = ['', '/', '/login', '/Login', '/login/', '/launch', '/LAUNCH', '/launch/', '/keys', '/register', '/canvas.json', '/ltijs-register', '/anything', '/launch%00', '/%E0%A4%A'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const DOCUMENTED: Record<string, string[]> = {
  '/login': ['GET', 'HEAD', 'POST'],
  '/launch': ['GET', 'HEAD', 'POST'],
  '/keys': ['GET', 'HEAD'],
  '/register': ['GET', 'HEAD'],
  '/canvas.json': ['GET', 'HEAD'],
};

describe('finding 1: no request to /lti/* ends the process', () => {
  test('the reported repros: PUT /lti/launch and POST /lti/anything with state=a%20b', async () => {
    for (const [method, path] of [['PUT', '/lti/launch'], ['POST', '/lti/anything'], ['POST', '/lti/launch']]) {
      const r = await fetch(`${tool.url}${path}`, { method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'state=a%20b' });
      assert.ok(r.status >= 400 && r.status < 500, `${method} ${path}: ${r.status}`);
      await healthy();
    }
  });

  test('every path × method × malformed body: 4xx, undocumented routes 404/405 before ltijs, /healthz still 200', async () => {
    let sent = 0;
    for (const path of PATHS) {
      for (const method of METHODS) {
        for (const b of BODIES) {
          const hasBody = b.body !== undefined && !['GET', 'HEAD'].includes(method);
          const r = await fetch(`${tool.url}/lti${path}${b.query ?? ''}`, {
            method,
            redirect: 'manual',
            headers: { ...(hasBody && b.type ? { 'content-type': b.type } : {}), ...b.headers },
            body: hasBody ? b.body : undefined,
          });
          await r.arrayBuffer();
          sent++;
          const where = `${method} /lti${path} (${b.name})`;
          assert.ok(r.status < 500, `${where}: ${r.status}`);
          const allowed = DOCUMENTED[path];
          if (!allowed) assert.equal(r.status, 404, where);
          else if (!allowed.includes(method)) {
            assert.equal(r.status, 405, where);
            assert.match(r.headers.get('allow') ?? '', /GET|POST/, `${where}: Allow names the methods`);
          }
        }
      }
      await healthy();
    }
    assert.equal(sent, PATHS.length * METHODS.length * BODIES.length);
    assert.doesNotMatch(tool.output(), /unhandled promise rejection|uncaught exception/, 'no request even reached an unhandled error');
  });

  test('the documented routes still work: key set, login redirect, Canvas config', async () => {
    const keys = await fetch(`${tool.url}/lti/keys`);
    assert.equal(keys.status, 200);
    assert.ok(((await keys.json()) as { keys: unknown[] }).keys.length > 0);
    const login = await fetch(`${tool.url}/lti/login?${new URLSearchParams({ iss: ISSUER, client_id: 'c1', login_hint: 'x', target_link_uri: `${tool.url}/lti/launch` })}`, { redirect: 'manual' });
    assert.equal(login.status, 302);
    assert.ok(login.headers.get('location')!.startsWith(`${ISSUER}/auth?`));
    assert.equal((await fetch(`${tool.url}/lti/canvas.json`)).status, 200);
    await healthy();
  });

  test('a stray rejection or exception outside any request is logged, never fatal', () => {
    const script = [
      "const { keepRunningOnStrayErrors } = await import('./src/server.ts');",
      'keepRunningOnStrayErrors();',
      "Promise.reject(new Error('stray rejection'));",
      "setTimeout(() => { throw new Error('stray exception'); }, 10);",
      "setTimeout(() => console.log('still running'), 100);",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_ENV: 'development' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /unhandled promise rejection/);
    assert.match(r.stdout, /uncaught exception/);
    assert.match(r.stdout, /still running/);
  });
});
