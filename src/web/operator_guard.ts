import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { readCookie } from '../dashboard/admin/auth.js';
import { failureLimiter } from '../dashboard/admin/rate_limit.js';
import { log } from '../log.js';
import { clientKey } from './request_limit.js';

/**
 * Attempts at the operator's `ADMIN_TOKEN` (admin API bearer and console sign-in; issue 14,
 * finding 16), counted in memory per process. Failures are counted per client (its address, or
 * its IPv6 /64) and for the credential as a whole; over either limit a request waits before its
 * token is even checked. So that nobody can lock the operator out (behind a proxy without
 * TRUST_PROXY every client shares one address), a success gives the client a *device cookie*:
 * a device that presents one is counted on its own and never waits for others' failures.
 */
export const OPERATOR_FAILURES_PER_CLIENT = 5;
/** Failures of all clients without a device cookie together, per window. */
export const OPERATOR_FAILURES_IN_TOTAL = 50;
export const OPERATOR_WINDOW_MS = 15 * 60 * 1000;
export const DEVICE_COOKIE = '__Host-wf_operator_device';
const DEVICE_DAYS = 365;

const perClient = failureLimiter(OPERATOR_FAILURES_PER_CLIENT, OPERATOR_WINDOW_MS);
const perDevice = failureLimiter(OPERATOR_FAILURES_PER_CLIENT, OPERATOR_WINDOW_MS);
const untrusted = failureLimiter(OPERATOR_FAILURES_IN_TOTAL, OPERATOR_WINDOW_MS);
const ALL = '*';

export interface OperatorGuard {
  /** Seconds this request must wait before its token is checked; 0 when it may be checked now. */
  wait(req: Request): number;
  failed(req: Request): void;
  /** A right token: clears the client's failures and gives it a device cookie when it has none. */
  succeeded(req: Request, res: Response): void;
}

/** Device cookies are signed with a key derived from the token, so a new ADMIN_TOKEN forgets every device. */
export function operatorGuard(adminToken: string): OperatorGuard {
  const key = createHmac('sha256', adminToken).update('wayfinder operator device').digest();
  const sign = (id: string) => createHmac('sha256', key).update(id).digest('base64url');
  const device = (req: Request): string | undefined => {
    const [id, mac] = (readCookie(req, DEVICE_COOKIE) ?? '').split('.');
    if (!id || !mac) return undefined;
    const want = Buffer.from(sign(id));
    const got = Buffer.from(mac);
    return got.length === want.length && timingSafeEqual(got, want) ? id : undefined;
  };
  return {
    wait(req) {
      const d = device(req);
      if (d) return perDevice.retryAfter(d);
      return Math.max(perClient.retryAfter(clientKey(req.ip)), untrusted.retryAfter(ALL));
    },
    failed(req) {
      const d = device(req);
      if (d) return perDevice.fail(d);
      const client = clientKey(req.ip);
      perClient.fail(client);
      untrusted.fail(ALL);
      if (perClient.retryAfter(client) > 0) log.warn({ client }, 'operator token: too many failures from one client; it waits');
    },
    succeeded(req, res) {
      const d = device(req);
      if (d) return perDevice.clear(d);
      perClient.clear(clientKey(req.ip));
      const id = randomBytes(16).toString('base64url');
      res.cookie(DEVICE_COOKIE, `${id}.${sign(id)}`, { httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: DEVICE_DAYS * 86400 * 1000 });
    },
  };
}
