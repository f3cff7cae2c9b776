import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NextFunction, Request, Response } from 'express';
import { forgetForRequest, oncePerRequest, watchRequestReads } from '../../../src/db/request_reads.js';

/** Runs `fn` as the handler of one HTTP request (inside the middleware's request context). */
const inRequest = <T>(fn: () => Promise<T>) =>
  new Promise<T>((resolve, reject) => watchRequestReads({ method: 'GET', path: '/x' } as Request, {} as Response, (() => fn().then(resolve, reject)) as NextFunction));

test('a read runs once per request and key, again after forgetting it, and every time outside a request', async () => {
  let reads = 0;
  // A thenable like a mongoose query, which would run again on every await.
  const read = () => ({ then: (ok: (v: number) => void) => ok(++reads) }) as unknown as PromiseLike<number>;
  const seen = await inRequest(async () => {
    const a = await oncePerRequest('k', read);
    const b = await oncePerRequest('k', read);
    const other = await oncePerRequest('k2', read);
    forgetForRequest('k');
    const c = await oncePerRequest('k', read);
    return [a, b, other, c];
  });
  assert.deepEqual(seen, [1, 1, 2, 3]);
  assert.equal(await inRequest(() => oncePerRequest('k', read)), 4, 'another request reads again');
  assert.equal(await oncePerRequest('k', read), 5);
  assert.equal(await oncePerRequest('k', read), 6);
});
