import {
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign as cryptoSign,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: JsonWebKey & { kid: string; alg: string; use: string };
}

export function newSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `devlms-${randomUUID()}`;
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicKey, jwk };
}

/**
 * The LMS's signing keys. Rotation keeps the previous key in the JWKS so tokens signed just
 * before a rotation still verify (tools refetch the key set when they meet an unknown kid).
 */
export class KeyRing {
  current: SigningKey = newSigningKey();
  previous: SigningKey[] = [];

  rotate(keepOld = true): void {
    this.previous = keepOld ? [this.current, ...this.previous].slice(0, 2) : [];
    this.current = newSigningKey();
  }

  jwks(): { keys: SigningKey['jwk'][] } {
    return { keys: [this.current, ...this.previous].map((k) => k.jwk) };
  }

  byKid(kid: string | undefined): SigningKey | undefined {
    return [this.current, ...this.previous].find((k) => k.kid === kid);
  }
}

export type JwtAlg = 'RS256' | 'HS256' | 'none';

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/**
 * Signs by hand rather than with jsonwebtoken so attack tests can produce what a library refuses
 * to make: `alg: none`, HS256 keyed with a public key, a header kid that matches nothing.
 */
export function signJwt(
  payload: Record<string, unknown>,
  o: { alg: JwtAlg; key?: KeyObject | string | Buffer; header?: Record<string, unknown> },
): string {
  const header = { typ: 'JWT', alg: o.alg, ...o.header };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  if (o.alg === 'none') return `${input}.`;
  if (!o.key) throw new Error(`signJwt: ${o.alg} needs a key`);
  if (o.alg === 'HS256') {
    const secret = typeof o.key === 'string' || Buffer.isBuffer(o.key) ? o.key : o.key.export();
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  }
  return `${input}.${cryptoSign('sha256', Buffer.from(input), o.key).toString('base64url')}`;
}

/** Fetches a tool's key set. No cache: a dev LMS should see a tool's rotation at once. */
export async function fetchJwks(url: string): Promise<JsonWebKey[]> {
  const res = await fetch(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`key set at ${url} answered ${res.status}`);
  const body = (await res.json()) as { keys?: JsonWebKey[] };
  if (!Array.isArray(body.keys)) throw new Error(`key set at ${url} has no "keys" array`);
  return body.keys;
}

export class JwtCheckError extends Error {}

/**
 * Verifies a JWT signed by a tool against the tool's registered key set: RS256 only, the key picked
 * by kid (or the only RSA key when the token has no kid), issuer and audience checked.
 */
export async function verifyToolJwt(
  token: string,
  jwksUrl: string,
  o: { issuer: string; audience: string | string[] },
): Promise<jwt.JwtPayload> {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string') throw new JwtCheckError('not a JWT');
  if (decoded.header.alg !== 'RS256') throw new JwtCheckError(`alg ${decoded.header.alg} is not accepted`);
  let keys: JsonWebKey[];
  try {
    keys = await fetchJwks(jwksUrl);
  } catch (err) {
    throw new JwtCheckError(`could not fetch the tool's key set: ${(err as Error).message}`);
  }
  const rsa = keys.filter((k) => k.kty === 'RSA');
  const kid = decoded.header.kid;
  const jwk = kid ? rsa.find((k) => k.kid === kid) : rsa.length === 1 ? rsa[0] : undefined;
  if (!jwk) throw new JwtCheckError(kid ? `no key with kid ${kid} in ${jwksUrl}` : 'token has no kid');
  try {
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    const audience = Array.isArray(o.audience) ? (o.audience as [string, ...string[]]) : o.audience;
    return jwt.verify(token, key, {
      algorithms: ['RS256'],
      issuer: o.issuer,
      audience,
      clockTolerance: 60,
    }) as jwt.JwtPayload;
  } catch (err) {
    throw new JwtCheckError((err as Error).message);
  }
}
