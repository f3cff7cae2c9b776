import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextTimestampMs, secondOf } from '../../../src/grades/timestamps.js';
import { platformMessage } from '../../../src/lti/service_token.js';

describe('what an LMS answered', () => {
  test('the reason: JSON message, Canvas errors, plain text, else the status line (Moodle)', async () => {
    const msg = (body: string, status: number, statusText = '') =>
      platformMessage(new Response(body, { status, statusText }));
    assert.equal(
      await msg('[]', 409, 'Refusing score with an earlier timestamp'),
      '409: Refusing score with an earlier timestamp',
    );
    assert.equal(await msg('[]', 409, 'Conflict'), '409: Conflict');
    assert.equal(await msg('', 400, 'Incorrect score received'), '400: Incorrect score received');
    assert.equal(await msg('{"errors":{"type":"bad_request","message":"too early"}}', 400), '400: too early');
    assert.equal(await msg('{"error":"invalid_client","error_description":"no key"}', 401), '401: no key');
    assert.equal(await msg('gateway down', 502, 'Bad Gateway'), '502: gateway down');
    assert.equal(await msg('', 500), '500: no reason given');
  });
});

describe('score timestamps step by whole seconds', () => {
  const s = (iso: string) => Date.parse(iso);
  test('the first score carries its event time', () => {
    assert.equal(nextTimestampMs(s('2026-01-01T10:00:00.300Z'), [undefined]), s('2026-01-01T10:00:00.300Z'));
  });
  test('an event in the same second as the last score moves to the next second', () => {
    const next = nextTimestampMs(s('2026-01-01T10:00:00.800Z'), ['2026-01-01T10:00:00.300Z']);
    assert.equal(new Date(next).toISOString(), '2026-01-01T10:00:01.000Z');
  });
  test('an event in a later second keeps its time; the latest earlier timestamp counts, in any format', () => {
    assert.equal(
      nextTimestampMs(s('2026-01-01T10:00:05.100Z'), ['2026-01-01T10:00:00.300Z']),
      s('2026-01-01T10:00:05.100Z'),
    );
    const next = nextTimestampMs(s('2026-01-01T10:00:05.100Z'), [
      '2026-01-01T10:00:00Z',
      '2026-01-01T10:00:05+00:00',
      undefined,
    ]);
    assert.equal(new Date(next).toISOString(), '2026-01-01T10:00:06.000Z');
    assert.equal(secondOf('2026-01-01T10:00:05.999Z'), secondOf('2026-01-01T10:00:05+00:00'));
  });
});
