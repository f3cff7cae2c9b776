import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createLmsApp } from '../../../src/devlms/app.js';
import { enrol } from '../../../src/devlms/nrps.js';
import type { LmsProfile } from '../../../src/devlms/profiles.js';
import { AGS_SCOPES, LmsState } from '../../../src/devlms/state.js';

/** The dev LMS's score endpoint, as each profile answers it (Moodle 5.1 observed; Canvas documented). */
let server: Server;
let state: LmsState;
let base: string;
before(async () => {
  state = new LmsState('', '', 'http://localhost:1', 'tool');
  state.tools.set('tool', {
    clientId: 'tool',
    deploymentId: '1',
    name: 'Tool',
    jwksUrl: 'http://localhost:1/keys',
    loginUrl: 'http://localhost:1/login',
    launchUrl: 'http://localhost:1/launch',
    redirectUris: [],
    deepLinking: false,
    scopes: AGS_SCOPES,
  });
  state.accessTokens.set('token', { clientId: 'tool', scopes: AGS_SCOPES, expires: Date.now() + 3600_000 });
  enrol(state, '2', { user: { sub: 'ada', name: 'Ada' }, role: 'student' });
  enrol(state, '2', { user: { sub: 'grace', name: 'Grace' }, role: 'teacher' });
  server = await new Promise((r) => {
    const s = createLmsApp(state).listen(0, '127.0.0.1', () => r(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mod/lti/services.php/2/lineitems/default-2/lineitem`;
  state.url = base.slice(0, base.indexOf('/mod/'));
  state.issuer = state.url;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const headers = { authorization: 'Bearer token', 'content-type': 'application/vnd.ims.lis.v1.score+json' };
const score = (timestamp: string, given: number, userId = 'ada') =>
  fetch(`${base}/scores?type_id=1`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      userId,
      scoreGiven: given,
      scoreMaximum: 100,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
      timestamp,
    }),
  });
const results = async () =>
  (await (await fetch(`${base}/results?type_id=1&user_id=ada`, { headers })).json()) as Record<
    string,
    unknown
  >[];

const expected: Record<LmsProfile, { sameSecond: number; earlier: number; teacher: number }> = {
  moodle: { sameSecond: 409, earlier: 409, teacher: 400 },
  canvas: { sameSecond: 200, earlier: 400, teacher: 422 },
};

for (const profile of ['moodle', 'canvas'] as LmsProfile[])
  describe(`dev LMS scores, ${profile} profile`, () => {
    before(() => {
      state.profile = profile;
      state.results.clear();
    });
    const t = (ms: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, 0) + ms).toISOString();

    test('an accepted score: 200, with an empty body (Moodle) or JSON with resultUrl (Canvas)', async () => {
      const res = await score(t(200), 60);
      assert.equal(res.status, 200);
      const body = await res.text();
      if (profile === 'moodle') assert.equal(body, '');
      else assert.match(JSON.parse(body).resultUrl, /\/results\?user_id=ada/);
    });

    test('timestamps: Moodle compares whole seconds, Canvas refuses only earlier ones', async () => {
      const same = await score(t(700), 70);
      assert.equal(same.status, expected[profile].sameSecond);
      if (profile === 'moodle') {
        assert.match(same.statusText, /^Refusing score with an earlier timestamp/);
        assert.equal(await same.text(), '[]', 'the reason is in the status line only');
      }
      const earlier = await score(t(-5000), 10);
      assert.equal(earlier.status, expected[profile].earlier);
      if (profile === 'canvas') assert.match((await earlier.json()).errors.message, /before last updated/);
      assert.equal((await score(t(1000), 80)).status, 200, 'a later second is accepted');
      const [r] = await results();
      assert.equal(r.resultScore, 80);
      if (profile === 'moodle')
        assert.equal(r.timestamp, '2026-01-01T10:00:01+00:00', 'Moodle keeps seconds');
    });

    test('a score for a teacher is refused', async () => {
      assert.equal((await score(t(9000), 50, 'grace')).status, expected[profile].teacher);
    });

    test('a grade of 0: Moodle shows it without resultScore or timestamp', async () => {
      assert.equal((await score(t(20_000), 0)).status, 200);
      const [r] = await results();
      if (profile === 'moodle') assert.deepEqual(Object.keys(r).sort(), ['id', 'userId']);
      else assert.equal(r.resultScore, 0);
    });
  });
