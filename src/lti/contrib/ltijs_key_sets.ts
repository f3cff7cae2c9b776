import jwt from 'jsonwebtoken';
import Auth from 'ltijs/dist/Utils/Auth.js';
import { platformKey } from '../key_sets.js';

/**
 * ltijs fetches a platform's key set on every launch and never caches it. This adapter replaces
 * its `validateToken` with the same steps in the same order — iss against the login state,
 * platform lookup by iss and aud, active check, then signature and the OIDC/claim checks in
 * `verifyToken` — but takes keys set-by-set from Wayfinder's cache (`key_sets.ts`), which
 * refetches once when a kid is unknown. Only key-set platforms are handled here; others keep
 * ltijs's own code.
 */
type Platform = {
  platformActive(): Promise<boolean>;
  platformAuthConfig(): Promise<{ method: string; key: string }>;
};
type GetPlatform = (iss: string, aud: string, key: string, db: unknown) => Promise<Platform | false>;

export function useCachedKeySets(): void {
  const original = Auth.validateToken as (...args: unknown[]) => Promise<unknown>;
  Auth.validateToken = async (
    token: string,
    devMode: boolean,
    params: { iss?: string; alg?: string; maxAge?: number },
    getPlatform: GetPlatform,
    encryptionKey: string,
    db: unknown,
  ) => {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload !== 'object') throw new Error('INVALID_JWT_RECEIVED');
    const payload = decoded.payload as { iss: string; aud: string | string[] };
    params.alg = decoded.header.alg;
    if (!params.iss) {
      if (!devMode) throw new Error('MISSING_VALIDATION_COOKIE');
    } else if (params.iss !== payload.iss) throw new Error('ISS_CLAIM_DOES_NOT_MATCH');
    let platform: Platform | false = false;
    for (const aud of Array.isArray(payload.aud) ? payload.aud : [payload.aud]) {
      platform = await getPlatform(payload.iss, aud, encryptionKey, db);
      if (platform) break;
    }
    if (!platform) throw new Error('UNREGISTERED_PLATFORM');
    if (!(await platform.platformActive())) throw new Error('PLATFORM_NOT_ACTIVATED');
    const auth = await platform.platformAuthConfig();
    if (auth.method !== 'JWK_SET') {
      return original(token, devMode, params, getPlatform, encryptionKey, db);
    }
    if (!decoded.header.kid) throw new Error('KID_NOT_FOUND');
    const key = await platformKey(auth.key, decoded.header.kid).catch((err: Error) => {
      throw new Error(err.name === 'KEY_NOT_FOUND' ? 'KEY_NOT_FOUND' : 'KEYSET_NOT_FOUND');
    });
    return Auth.verifyToken(token, key as unknown as string, params as { alg: string }, platform, db);
  };
}
