// Manual registration with `npx wayfinder platforms …` (its own file: each command starts a
// process, which takes seconds, and a file has 120 s).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { startTestTool, type TestTool } from '../support/tool.js';

let tool: TestTool;
before(async () => {
  tool = await startTestTool({ LABEL: 'registration-cli' });
});
after(async () => {
  await tool.close();
});

describe('manual registration through the CLI', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { ...process.env, NODE_ENV: 'test', MONGODB_URI: tool.database.uri, LTI_KEY: tool.config.ltiKey },
      encoding: 'utf8',
    });

  test('platforms add, list and approve', () => {
    const add = cli('platforms', 'add', '--issuer', 'https://canvas.instructure.com', '--client-id', '10000000000001', '--auth-url', 'https://sso.canvaslms.com/api/lti/authorize_redirect', '--token-url', 'https://sso.canvaslms.com/login/oauth2/token', '--jwks-url', 'https://sso.canvaslms.com/api/lti/security/jwks', '--deployment-id', '7:abc', '--json');
    assert.equal(add.status, 0, add.stderr);
    const p = JSON.parse(add.stdout.trim().split('\n').at(-1)!);
    assert.equal(p.status, 'active');
    const list = cli('platforms', 'list', '--json');
    assert.equal(list.status, 0, list.stderr);
    assert.ok((JSON.parse(list.stdout.trim().split('\n').at(-1)!) as { _id: string }[]).some((x) => x._id === p._id));
    const approve = cli('platforms', 'approve', '--id', p._id, '--deployment-id', '7:def', '--json');
    assert.equal(approve.status, 0, approve.stderr);
    assert.deepEqual(JSON.parse(approve.stdout.trim().split('\n').at(-1)!).deployments.map((d: { id: string }) => d.id), ['7:abc', '7:def']);
  });

  test('missing options and bad URLs exit 2 with messages', () => {
    const missing = cli('platforms', 'add', '--issuer', 'https://x.example');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--client-id is required/);
    assert.match(missing.stderr, /--jwks-url is required/);
    const bad = cli('platforms', 'add', '--issuer', 'nope', '--client-id', 'c', '--auth-url', 'https://a.example', '--token-url', 'https://a.example', '--jwks-url', 'https://a.example');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--issuer: issuer must be an absolute http\(s\) URL/);
  });
});
