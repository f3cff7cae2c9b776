import assert from 'node:assert/strict';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { after, before, test } from 'node:test';
import jwt from 'jsonwebtoken';
import mongoose from 'mongoose';
import { signDeepLinkingResponse } from '../../src/content/deep_link.js';
import type { LaunchContext } from '../../src/lti/session.js';
import { retireRotatedKeys, rotateToolKeys } from '../../src/lti/tool_keys.js';
import { startToolAndLms, type ToolAndLms } from '../support/lti.js';

let env: ToolAndLms;
before(async () => {
  env = await startToolAndLms({ LABEL: 'keys' });
});
after(async () => env.close());

async function toolKeySet(): Promise<Map<string, ReturnType<typeof createPublicKey>>> {
  const { keys } = (await (await fetch(`${env.tool.url}/lti/keys`)).json()) as { keys: (JsonWebKey & { kid: string })[] };
  return new Map(keys.map((k) => [k.kid, createPublicKey({ key: k, format: 'jwk' })]));
}

async function deepLinkingSession(): Promise<LaunchContext> {
  const r = await env.launchAs({ role: 'teacher', messageType: 'LtiDeepLinkingRequest' });
  assert.equal(r.status, 200);
  const sessions = mongoose.connection.db!.collection<LaunchContext>('wf_launches');
  return (await sessions.find({ messageType: 'LtiDeepLinkingRequest' }).sort({ createdAt: -1 }).limit(1).toArray())[0];
}

/** Verifies a tool-signed JWT against the tool's published key set, as a platform would. */
async function verifiesAtPlatform(token: string): Promise<boolean> {
  const kid = jwt.decode(token, { complete: true })!.header.kid!;
  const key = (await toolKeySet()).get(kid);
  if (!key) return false;
  jwt.verify(token, key, { algorithms: ['RS256'] });
  return true;
}

test('launches and tool signatures keep verifying across a key rotation, and the old key retires after the overlap', async () => {
  const launch = await deepLinkingSession();
  const before = await signDeepLinkingResponse(launch, []);
  const oldKid = jwt.decode(before, { complete: true })!.header.kid!;
  assert.ok(await verifiesAtPlatform(before));

  const rotated = await rotateToolKeys(env.tool.config.ltiKey, 48);
  assert.equal(rotated.length, 1);
  assert.equal(rotated[0].oldKid, oldKid);
  const kids = [...(await toolKeySet()).keys()];
  assert.ok(kids.includes(oldKid) && kids.includes(rotated[0].newKid), 'both keys are published during the overlap');

  const afterRotation = await signDeepLinkingResponse(launch, []);
  assert.equal(jwt.decode(afterRotation, { complete: true })!.header.kid, rotated[0].newKid, 'new signatures use the new key');
  assert.ok(await verifiesAtPlatform(afterRotation));
  assert.ok(await verifiesAtPlatform(before), 'what was signed just before still verifies');

  const student = await env.launchAs({ role: 'student' });
  assert.equal(student.status, 200, 'the platform stays active across the rotation');

  assert.deepEqual(await retireRotatedKeys(new Date()), [], 'nothing retires inside the window');
  assert.deepEqual(await retireRotatedKeys(new Date(Date.now() + 49 * 3600 * 1000)), [oldKid]);
  assert.deepEqual([...(await toolKeySet()).keys()], [rotated[0].newKid]);
  assert.equal(await verifiesAtPlatform(before), false, 'the retired key is gone');
  assert.ok(await verifiesAtPlatform(await signDeepLinkingResponse(launch, [])));
  assert.equal((await env.launchAs({ role: 'student' })).status, 200);
});
