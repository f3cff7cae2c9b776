import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlatformRecord } from '../../../src/lti/platforms.js';
import { reRegistration } from '../../../src/lti/registration.js';

// The approval rules of a re-registration (Moodle's "update"), one case each.
const known: PlatformRecord = {
  _id: 'p1',
  issuer: 'https://moodle.example.edu',
  clientId: 'c1',
  name: 'moodle',
  authUrl: 'https://moodle.example.edu/mod/lti/auth.php',
  tokenUrl: 'https://moodle.example.edu/mod/lti/token.php',
  jwksUrl: 'https://moodle.example.edu/mod/lti/certs.php',
  status: 'active',
  deployments: [{ id: '1', status: 'approved', tenantId: 't1', firstSeen: new Date(0) }],
  autoApproveDeployments: false,
  grantedScopes: ['score'],
  source: 'dynamic',
  createdAt: new Date(0),
};
const same = { authUrl: known.authUrl, tokenUrl: known.tokenUrl, jwksUrl: known.jwksUrl, grantedScopes: ['score', 'nrps'], deploymentId: '1' };

test('same endpoints: an approved platform stays active with the new scopes', () => {
  const u = reRegistration(known, same, false);
  assert.equal(u.status, 'active');
  assert.deepEqual(u.grantedScopes, ['score', 'nrps']);
  assert.deepEqual(u.deployments, known.deployments);
});

test('a changed key set (or login or token endpoint) sends an approved platform back to approval', () => {
  for (const field of ['jwksUrl', 'authUrl', 'tokenUrl'] as const) {
    const u = reRegistration(known, { ...same, [field]: 'https://elsewhere.example/x' }, false);
    assert.equal(u.status, 'pending', field);
    assert.equal(u[field], 'https://elsewhere.example/x');
  }
  assert.equal(reRegistration(known, { ...same, jwksUrl: 'https://elsewhere.example/x' }, true).status, 'active', 'unless through a one-time link');
});

test('a new deployment waits for approval unless the link or the platform pre-approves it', () => {
  const pending = reRegistration(known, { ...same, deploymentId: '2' }, false).deployments.find((d) => d.id === '2');
  assert.equal(pending?.status, 'pending');
  assert.equal(reRegistration(known, { ...same, deploymentId: '2' }, true).deployments.find((d) => d.id === '2')?.status, 'approved');
  const auto = reRegistration({ ...known, autoApproveDeployments: true }, { ...same, deploymentId: '2' }, false);
  assert.equal(auto.deployments.find((d) => d.id === '2')?.status, 'approved');
});

test('disabled stays disabled, even through a one-time link; pending stays pending', () => {
  assert.equal(reRegistration({ ...known, status: 'disabled' }, same, true).status, 'disabled');
  assert.equal(reRegistration({ ...known, status: 'pending' }, same, false).status, 'pending');
});
