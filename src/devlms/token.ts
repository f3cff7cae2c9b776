import express, { type Response, type Router } from 'express';
import jwt from 'jsonwebtoken';
import { log } from '../log.js';
import { JwtCheckError, verifyToolJwt } from './keys.js';
import { opaqueId, type LmsState } from './state.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const TOKEN_LIFETIME_S = 3600;

const oauthError = (res: Response, status: number, error: string, description: string) =>
  res.status(status).set('Cache-Control', 'no-store').json({ error, error_description: description });

/**
 * POST /token: OAuth 2 client credentials with a JWT client assertion (LTI security framework).
 * The assertion is checked against the tool's registered key set; the access token is opaque and
 * kept in memory for the AGS and NRPS services.
 */
export function tokenRoutes(router: Router, state: LmsState): void {
  router.post('/token', express.urlencoded({ extended: false, limit: '50kb' }), async (req, res) => {
    const body = req.body as Record<string, string | undefined>;
    if (body.grant_type !== 'client_credentials')
      return oauthError(res, 400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    if (body.client_assertion_type !== ASSERTION_TYPE || !body.client_assertion)
      return oauthError(
        res,
        400,
        'invalid_request',
        `client_assertion_type must be ${ASSERTION_TYPE}, with a client_assertion`,
      );
    const unverified = jwt.decode(body.client_assertion);
    const clientId = unverified && typeof unverified === 'object' ? unverified.iss : undefined;
    const tool = clientId ? state.tool(clientId) : undefined;
    if (!tool) return oauthError(res, 401, 'invalid_client', 'the assertion names no registered client');

    let claims: jwt.JwtPayload;
    try {
      claims = await verifyToolJwt(body.client_assertion, tool.jwksUrl, {
        issuer: tool.clientId,
        audience: state.tokenUrl,
      });
    } catch (err) {
      const why = err instanceof JwtCheckError ? err.message : 'assertion could not be checked';
      log.info({ client_id: tool.clientId, why }, 'devlms: client assertion refused');
      return oauthError(res, 401, 'invalid_client', why);
    }
    if (claims.sub !== tool.clientId)
      return oauthError(res, 401, 'invalid_client', 'sub must equal the client id');
    if (typeof claims.exp !== 'number')
      return oauthError(res, 401, 'invalid_client', 'the assertion has no exp');
    if (typeof claims.jti !== 'string')
      return oauthError(res, 401, 'invalid_client', 'the assertion has no jti');
    // A replayed assertion is refused until it would have expired anyway.
    const replayKey = `${tool.clientId}:${claims.jti}`;
    if (state.usedAssertionIds.has(replayKey))
      return oauthError(res, 401, 'invalid_client', 'jti already used');
    state.usedAssertionIds.set(replayKey, claims.exp * 1000 + 60_000);

    const asked = (body.scope ?? '').split(/\s+/).filter(Boolean);
    const scopes = asked.filter((s) => tool.scopes.includes(s));
    if (!scopes.length)
      return oauthError(res, 400, 'invalid_scope', 'none of the requested scopes is granted to this tool');
    const accessToken = opaqueId(32);
    state.accessTokens.set(accessToken, {
      clientId: tool.clientId,
      scopes,
      expires: Date.now() + TOKEN_LIFETIME_S * 1000,
    });
    state.sweep();
    res.set('Cache-Control', 'no-store').json({
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_S,
      scope: scopes.join(' '),
    });
  });
}

/** For the LMS's services: the client an access token belongs to, if it is live and carries `scope`. */
export function checkAccessToken(state: LmsState, authorization: string | undefined, scope: string) {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  const t = m ? state.accessTokens.get(m[1]) : undefined;
  if (!t || t.expires < Date.now() || !t.scopes.includes(scope)) return undefined;
  return { clientId: t.clientId, scopes: t.scopes };
}
