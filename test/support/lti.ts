import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import request from 'supertest';
import type { LaunchOptions } from '../../src/devlms/index.js';
import type { LaunchContext } from '../../src/lti/session.js';
import { startTestLms, type DevLms } from './lms.js';
import { startTestTool, TEST_ADMIN_TOKEN, type TestTool } from './tool.js';

export const TEST_CLIENT_ID = 'wayfinder-test';
export const TEST_DEPLOYMENT_ID = '1';

export interface ToolAndLms {
  tool: TestTool;
  lms: DevLms;
  /** Launches through the real OIDC flow and returns the ltik the tool issued plus the landing page. */
  launchAs(o?: LaunchOptions): Promise<{ ltik: string; url: string; body: string; status: number }>;
  close(): Promise<void>;
}

/**
 * The tool and a dev LMS that know each other: the LMS has the tool pre-registered, and the
 * tool has the LMS registered as an active platform through its admin API.
 */
export async function startToolAndLms(env: Record<string, string> = {}): Promise<ToolAndLms> {
  const tool = await startTestTool(env);
  const lms = await startTestLms(tool.url, {
    clientId: TEST_CLIENT_ID,
    deploymentId: TEST_DEPLOYMENT_ID,
    preRegistered: {
      clientId: TEST_CLIENT_ID,
      toolJwksUrl: `${tool.url}/lti/keys`,
      loginUrl: `${tool.url}/lti/login`,
      launchUrl: `${tool.url}/lti/launch`,
      deepLinking: true,
    },
  });
  const res = await request(tool.url)
    .post('/api/admin/platforms')
    .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
    .send({ ...lms.registration(TEST_CLIENT_ID), name: 'Test LMS' });
  if (res.status !== 201) throw new Error(`registering the test LMS failed: ${res.status} ${res.text}`);
  return {
    tool,
    lms,
    async launchAs(o = {}) {
      const r = await lms.launch({ clientId: TEST_CLIENT_ID, ...o });
      const ltik = new URL(r.url).searchParams.get('ltik') ?? '';
      return { ltik, url: r.url, body: r.body, status: r.status };
    },
    async close() {
      await lms.stop();
      await tool.close();
    },
  };
}

/** Counts documents in a collection of the test database (to prove a refused launch stored nothing). */
export async function countDocs(collection: string, filter: Record<string, unknown> = {}): Promise<number> {
  return mongoose.connection.db!.collection(collection).countDocuments(filter);
}

/**
 * Named launches for a suite: `launch(name, o)` launches through `env()` (which must answer 200)
 * and keeps the ltik and the launch context the tool stored under that name.
 */
export function namedLaunches(env: () => ToolAndLms) {
  const ltiks: Record<string, string> = {};
  const sessions: Record<string, LaunchContext> = {};
  async function launch(name: string, o: LaunchOptions): Promise<void> {
    const r = await env().launchAs(o);
    assert.equal(r.status, 200, r.body.slice(0, 300));
    ltiks[name] = r.ltik;
    const docs = await mongoose.connection.db!.collection('wf_launches').find({}).sort({ createdAt: -1 }).limit(1).toArray();
    sessions[name] = docs[0] as unknown as LaunchContext;
  }
  return { ltiks, sessions, launch };
}
