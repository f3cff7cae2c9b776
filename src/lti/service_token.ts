import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { findPlatform, type PlatformRecord } from './platforms.js';
import { lti } from './provider.js';

/**
 * Calls to a platform's LTI services (AGS, NRPS) with an OAuth 2 access token from the
 * client-credentials grant, authenticated by a JWT signed with the tool's key for that platform.
 * Independent of any launch: grades and rosters must work when no student session is alive.
 */
export interface ServicePlatform {
  issuer: string;
  clientId: string;
}

/** A service answered with a status the caller has to act on; `message` is the platform's own words. */
export class ServiceError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Tokens are replaced this long before they expire: near-expiry tokens get 401s (ltijs #179). */
const REFRESH_MARGIN_MS = 60_000;
const PLATFORM_MEMO_MS = 30_000;
export const SERVICE_TIMEOUT_MS = 20_000;

interface CachedToken {
  token: Promise<string>;
  expiresAt: number;
}
const tokens = new Map<string, CachedToken>();
const platforms = new Map<string, { at: number; record: Promise<PlatformRecord | null> }>();

/** The platform's registry record, memoised briefly (granted scopes, token URL, product family). */
export function platformRecord(p: ServicePlatform): Promise<PlatformRecord | null> {
  const key = `${p.issuer}\u0000${p.clientId}`;
  const hit = platforms.get(key);
  if (hit && Date.now() - hit.at < PLATFORM_MEMO_MS) return hit.record;
  const record = findPlatform(p.issuer, p.clientId);
  platforms.set(key, { at: Date.now(), record });
  return record;
}

/** Of the scopes a call needs, those the platform granted; asking for more fails the token request. */
export async function grantedOf(p: ServicePlatform, wanted: string[]): Promise<string[]> {
  const record = await platformRecord(p);
  return wanted.filter((s) => record?.grantedScopes.includes(s));
}

/** The message in a JSON error body: OAuth `error_description`, AGS `message`, Canvas `errors`. */
function messageIn(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  for (const m of [b.error_description, b.message, b.reason, b.error])
    if (typeof m === 'string' && m) return m;
  const errors = Array.isArray(b.errors) ? b.errors[0] : b.errors;
  return messageIn(errors);
}

/**
 * Reads the platform's error text: a message in a JSON body, else plain text, else the reason
 * in the status line — Moodle puts its reason only there and answers `[]` (a proxy in front of it
 * may replace the reason with the standard phrase, e.g. "Conflict").
 */
export async function platformMessage(res: Response): Promise<string> {
  const text = (await res.text().catch(() => '')).trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    if (text) return `${res.status}: ${text.slice(0, 300)}`;
  }
  return `${res.status}: ${messageIn(parsed) ?? (res.statusText || text || 'no reason given')}`;
}

export function retryAfterMs(res: Response): number | undefined {
  const v = res.headers.get('retry-after');
  if (!v) return undefined;
  const s = Number(v);
  return Number.isFinite(s) ? s * 1000 : Math.max(0, Date.parse(v) - Date.now()) || undefined;
}

async function requestToken(
  p: ServicePlatform,
  scopes: string[],
): Promise<{ token: string; expiresInS: number }> {
  const [record, platform] = await Promise.all([platformRecord(p), lti.getPlatform(p.issuer, p.clientId)]);
  if (!record || !platform)
    throw new ServiceError(`the platform ${p.issuer} (${p.clientId}) is no longer registered`, 400);
  const now = Math.floor(Date.now() / 1000);
  const assertion = jwt.sign(
    { iss: p.clientId, sub: p.clientId, aud: record.tokenUrl, iat: now, exp: now + 300, jti: randomUUID() },
    await platform.platformPrivateKey(),
    { algorithm: 'RS256', keyid: await platform.platformKid() },
  );
  const res = await fetch(record.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
      scope: scopes.join(' '),
    }),
    signal: AbortSignal.timeout(SERVICE_TIMEOUT_MS),
  });
  if (!res.ok)
    throw new ServiceError(
      `the platform refused an access token: ${await platformMessage(res)}`,
      res.status,
      retryAfterMs(res),
    );
  const body = (await res.json()) as { access_token?: unknown; expires_in?: unknown };
  if (typeof body.access_token !== 'string')
    throw new ServiceError('the platform answered without an access_token', 502);
  return {
    token: body.access_token,
    expiresInS: typeof body.expires_in === 'number' ? body.expires_in : 3600,
  };
}

/**
 * An access token for these scopes, cached per (platform, client, scope set) until shortly before
 * it expires. Concurrent callers share one token request. `refresh` drops the cached one first.
 */
export function serviceToken(
  p: ServicePlatform,
  scopes: string[],
  o: { refresh?: boolean } = {},
): Promise<string> {
  const key = [p.issuer, p.clientId, ...[...scopes].sort()].join('\u0000');
  const hit = tokens.get(key);
  if (hit && !o.refresh && Date.now() < hit.expiresAt) return hit.token;
  const entry: CachedToken = { token: Promise.resolve(''), expiresAt: Number.POSITIVE_INFINITY };
  entry.token = requestToken(p, scopes).then(
    ({ token, expiresInS }) => {
      entry.expiresAt = Date.now() + Math.max(0, expiresInS * 1000 - REFRESH_MARGIN_MS);
      return token;
    },
    (err: unknown) => {
      if (tokens.get(key) === entry) tokens.delete(key);
      throw err;
    },
  );
  tokens.set(key, entry);
  return entry.token;
}

export interface ServiceRequest {
  method?: 'GET' | 'POST' | 'PUT';
  /** Sent as JSON with `contentType`. */
  body?: unknown;
  contentType?: string;
  accept?: string;
}

/**
 * One call to a platform service with the cached token. A 401 gets one retry with a fresh token
 * (the cached one may have been revoked or expired early); any other answer is the caller's.
 * Network failures and timeouts throw.
 */
export async function serviceFetch(
  p: ServicePlatform,
  scopes: string[],
  url: string,
  r: ServiceRequest = {},
): Promise<Response> {
  const call = async (refresh: boolean) =>
    fetch(url, {
      method: r.method ?? 'GET',
      headers: {
        authorization: `Bearer ${await serviceToken(p, scopes, { refresh })}`,
        accept: r.accept ?? 'application/json',
        ...(r.body !== undefined ? { 'content-type': r.contentType ?? 'application/json' } : {}),
      },
      body: r.body !== undefined ? JSON.stringify(r.body) : undefined,
      signal: AbortSignal.timeout(SERVICE_TIMEOUT_MS),
    });
  const first = await call(false);
  if (first.status !== 401) return first;
  await first.arrayBuffer();
  return call(true);
}
