import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { log } from '../log.js';

/**
 * Platform key sets (JWKS), cached per URL for a while and fetched again once when a token names
 * a key the cache does not hold — platforms rotate keys, and a new kid must not wait for the TTL.
 * A refetch for an unknown kid happens at most once a second per URL, so a flood of tokens
 * with made-up kids cannot turn Wayfinder into a load generator against the platform.
 */
const TTL_MS = 10 * 60 * 1000;
const MIN_REFETCH_MS = 1000;

interface Entry {
  keys: Map<string, KeyObject>;
  fetchedAt: number;
}
const cache = new Map<string, Entry>();
const inflight = new Map<string, Promise<Entry>>();

export class KeyNotFound extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KEY_NOT_FOUND';
  }
}

async function fetchKeySet(url: string): Promise<Entry> {
  const pending = inflight.get(url);
  if (pending) return pending;
  const p = (async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000), headers: { accept: 'application/json' } });
    if (!res.ok) throw new KeyNotFound(`the platform's key set at ${url} answered ${res.status}`);
    const body = (await res.json()) as { keys?: (JsonWebKey & { kid?: string })[] };
    if (!Array.isArray(body.keys)) throw new KeyNotFound(`the platform's key set at ${url} has no keys`);
    const keys = new Map<string, KeyObject>();
    for (const jwk of body.keys) {
      if (!jwk.kid || jwk.kty !== 'RSA') continue;
      try {
        keys.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
      } catch {
        log.warn({ url, kid: jwk.kid }, 'skipping an unreadable key in a platform key set');
      }
    }
    const entry = { keys, fetchedAt: Date.now() };
    cache.set(url, entry);
    return entry;
  })().finally(() => inflight.delete(url));
  inflight.set(url, p);
  return p;
}

/** The public key `kid` from the key set at `url`. */
export async function platformKey(url: string, kid: string): Promise<KeyObject> {
  let entry = cache.get(url);
  const age = entry ? Date.now() - entry.fetchedAt : Infinity;
  if (!entry || age > TTL_MS || (!entry.keys.has(kid) && age > MIN_REFETCH_MS)) entry = await fetchKeySet(url);
  const key = entry.keys.get(kid);
  if (!key) throw new KeyNotFound(`the key ${kid} is not in the platform's key set`);
  return key;
}

