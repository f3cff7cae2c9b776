import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { ConfigError } from '../config.js';
import { bearerMatches, secretDigest } from './admin_auth.js';
import { AppError } from './errors.js';

/**
 * Prometheus metrics in the text exposition format. Never public (issue 14, finding 13): served
 * on the main port only with `Authorization: Bearer <METRICS_TOKEN>`, or only on an internal
 * listener (`METRICS_PORT`, on `METRICS_HOST`, loopback by default), as the operator chooses;
 * with neither set there is no /metrics. Every label takes values from a fixed set.
 */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

/**
 * Every reason a launch is counted under. Anything else (ltijs's own messages carry text from the
 * request) is counted as OTHER, so no request can add a series; a new refusal code goes here.
 */
export const LAUNCH_REASONS = new Set([
  // accepted, by message type
  'LtiResourceLinkRequest', 'LtiDeepLinkingRequest',
  // Wayfinder's own pre-checks (lti/message_launch.ts, lti/platforms.ts, lti/platform_storage_launch.ts)
  'ID_TOKEN_MISSING', 'ID_TOKEN_MALFORMED', 'ALG_NOT_ALLOWED', 'KID_MISSING', 'STATE_MISSING', 'ISS_MISSING', 'AUD_MISSING',
  'AZP_MISSING', 'AZP_INVALID', 'TIME_CLAIMS_MISSING', 'IAT_IN_FUTURE', 'TOKEN_EXPIRED', 'NONCE_MISSING', 'VERSION_INVALID',
  'MESSAGE_TYPE_UNSUPPORTED', 'DEPLOYMENT_MISSING', 'ROLES_MISSING', 'CONTEXT_MISSING', 'SUB_MISSING', 'RESOURCE_LINK_MISSING',
  'DEEP_LINKING_SETTINGS_MISSING', 'PLATFORM_UNKNOWN', 'PLATFORM_INACTIVE', 'DEPLOYMENT_UNKNOWN', 'ROLE_UNSUPPORTED',
  'STORAGE_ORIGIN_INVALID', 'STORAGE_NONCE_MISMATCH', 'STATE_ALREADY_USED', 'STATE_COOKIE_BLOCKED', 'STATE_INVALID',
  'LOGIN_NONCE_MISMATCH', 'LOGIN_UNKNOWN',
  // ltijs's refusals, as ltijsRefusal names them
  'MISSING_VALIDATION_COOKIE', 'ISS_CLAIM_DOES_NOT_MATCH', 'UNREGISTERED_PLATFORM', 'PLATFORM_NOT_ACTIVATED', 'PLATFORM_DISABLED',
  'KID_NOT_FOUND', 'KEY_NOT_FOUND', 'KEYSET_NOT_FOUND', 'AUD_DOES_NOT_MATCH_CLIENTID', 'AZP_DOES_NOT_MATCH_CLIENTID',
  'NONCE_ALREADY_RECEIVED', 'INVALID_SIGNATURE', 'JWT_EXPIRED', 'UNKNOWN',
]);

/** A launch reason as a label value: one of LAUNCH_REASONS, else OTHER. */
export const launchReason = (reason: string): string => (LAUNCH_REASONS.has(reason) ? reason : 'OTHER');

const launchCounter = new client.Counter({
  name: 'wayfinder_launches_total',
  help: 'LTI launches by outcome (accepted, refused) and reason (a fixed set; OTHER for anything else)',
  labelNames: ['outcome', 'reason'] as const,
  registers: [registry],
});

export const metrics = {
  requests: new client.Counter({
    name: 'wayfinder_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  }),
  latency: new client.Histogram({
    name: 'wayfinder_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  }),
  launches: {
    inc: (labels: { outcome: 'accepted' | 'refused'; reason: string }) => launchCounter.inc({ outcome: labels.outcome, reason: launchReason(labels.reason) }),
  },
};

/**
 * Records each request under its route pattern, never the raw path (which would let any request
 * add a series): answered before a route matched, it is its router's mount path or `unmatched`.
 */
export function requestMetrics(req: Request, res: Response, next: NextFunction): void {
  const end = metrics.latency.startTimer();
  res.on('finish', () => {
    const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : res.statusCode === 404 ? 'unmatched' : req.baseUrl || 'unmatched';
    end({ method: req.method, route });
    metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
  });
  next();
}

/** Where /metrics is served, from METRICS_TOKEN, METRICS_PORT and METRICS_HOST. */
export type MetricsAccess =
  | { kind: 'off' }
  | { kind: 'token'; token: string }
  | { kind: 'port'; port: number; host: string; token?: string };

const accessSchema = z.object({
  METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters (Prometheus sends it as a bearer token)').optional(),
  METRICS_PORT: z
    .string()
    .regex(/^\d+$/, 'expected a port number')
    .transform(Number)
    .refine((n) => n <= 65535, 'expected a port number from 0 to 65535')
    .optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
});

/** Reads the operator's choice; throws ConfigError (one line per problem) like the rest of the configuration. */
export function metricsAccess(env: NodeJS.ProcessEnv): MetricsAccess {
  const r = accessSchema.safeParse({ METRICS_TOKEN: env.METRICS_TOKEN || undefined, METRICS_PORT: env.METRICS_PORT || undefined, METRICS_HOST: env.METRICS_HOST || undefined });
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`));
  const { METRICS_TOKEN: token, METRICS_PORT: port, METRICS_HOST: host } = r.data;
  if (port !== undefined) return { kind: 'port', port, host, ...(token ? { token } : {}) };
  return token ? { kind: 'token', token } : { kind: 'off' };
}

/** `GET /metrics` for the main app: behind the token, or absent. */
export function metricsRoute(access: MetricsAccess) {
  const expected = access.kind === 'token' ? secretDigest(access.token) : undefined;
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!expected) return next(); // not served here: the app's 404
    if (!bearerMatches(req.headers.authorization, expected)) {
      return next(new AppError('UNAUTHENTICATED', 'send the metrics token as "Authorization: Bearer <METRICS_TOKEN>"'));
    }
    res.type(registry.contentType).send(await registry.metrics());
  };
}

/** The internal listener of `METRICS_PORT`: /metrics only (with the token when one is set). */
export async function startMetricsServer(access: Extract<MetricsAccess, { kind: 'port' }>): Promise<{ url: string; close: () => Promise<void> }> {
  const expected = access.token ? secretDigest(access.token) : undefined;
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const status = path !== '/metrics' || req.method !== 'GET' ? 404 : expected && !bearerMatches(req.headers.authorization, expected) ? 401 : 200;
    if (status !== 200) {
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 404 ? 'only GET /metrics is served here\n' : 'send Authorization: Bearer <METRICS_TOKEN>\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => server.listen(access.port, access.host, resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${access.host.includes(':') ? `[${access.host}]` : access.host}:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
