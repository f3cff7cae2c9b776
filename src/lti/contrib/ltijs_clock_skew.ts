import jwt from 'jsonwebtoken';
import Auth from 'ltijs/dist/Utils/Auth.js';

/**
 * ltijs verifies `exp` with no leeway, so a platform whose clock runs a little ahead refuses the
 * first launch of the day (ltijs #121). This replaces its signature step with the same checks plus
 * a configurable tolerance; the rest of its validation (aud, azp, alg, nonce, claims) is unchanged.
 */
export function applyClockSkew(seconds: number): void {
  Auth.verifyToken = async (token, key, params, platform, db) => {
    const verified = jwt.verify(token, key, {
      algorithms: [params.alg as jwt.Algorithm],
      clockTolerance: seconds,
    }) as Record<string, unknown> & { clientId?: string; platformId?: string };
    await Auth.oidcValidation(verified, platform, params, db);
    await Auth.claimValidation(verified);
    const p = platform as { platformClientId(): Promise<string>; platformKid(): Promise<string> };
    verified.clientId = await p.platformClientId();
    verified.platformId = await p.platformKid();
    return verified;
  };
}
