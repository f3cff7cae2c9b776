import { randomBytes, randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { log } from '../log.js';
import { signJwt } from './keys.js';
import { SUPPORTED_SCOPES, type LmsState } from './state.js';
import type { ToolRecord } from './types.js';

const TOOL_CONF = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
const PLATFORM_CONF = 'https://purl.imsglobal.org/spec/lti-platform-configuration';

/** The platform configuration a tool reads during LTI Dynamic Registration, shaped like Moodle 4.3's. */
export function openidConfiguration(state: LmsState) {
  return {
    issuer: state.issuer,
    authorization_endpoint: state.authUrl,
    token_endpoint: state.tokenUrl,
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256'],
    jwks_uri: state.jwksUrl,
    registration_endpoint: state.registrationUrl,
    scopes_supported: ['openid', ...SUPPORTED_SCOPES],
    response_types_supported: ['id_token'],
    subject_types_supported: ['public', 'pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: ['sub', 'iss', 'name', 'given_name', 'family_name', 'email'],
    [PLATFORM_CONF]: {
      product_family_code: state.profile,
      version: '4.3',
      messages_supported: [
        { type: 'LtiResourceLinkRequest' },
        { type: 'LtiDeepLinkingRequest', placements: ['ContentArea'] },
      ],
      variables: ['ResourceLink.id', 'Context.id', 'User.id', 'Person.name.full', 'Person.email.primary'],
    },
  };
}

/**
 * A registration token like Moodle's: RS256, signed by the LMS, one hour, single use. With
 * `update` (a client id) it is Moodle's "update" token: scope `reg-update`, the tool as `sub`,
 * and the registration it carries replaces that tool's, keeping client id and deployment.
 */
export function mintRegistrationToken(state: LmsState, update?: string): string {
  const now = Math.floor(Date.now() / 1000);
  const k = state.keys.current;
  const op = update ? { sub: update, scope: 'reg-update' } : { sub: randomUUID(), scope: 'reg' };
  return signJwt(
    { iss: state.issuer, ...op, iat: now, exp: now + 3600, jti: randomUUID() },
    { alg: 'RS256', key: k.privateKey, header: { kid: k.kid } },
  );
}

type TokenCheck = { ok: true; jti: string; update?: string } | { ok: false; reason: string };

function checkRegistrationToken(state: LmsState, req: Request): TokenCheck {
  const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  if (!m) return { ok: false, reason: 'missing_registration_token' };
  const decoded = jwt.decode(m[1], { complete: true });
  const key = state.keys.byKid(decoded?.header.kid);
  if (!key) return { ok: false, reason: 'invalid_registration_token' };
  try {
    const p = jwt.verify(m[1], key.publicKey, {
      algorithms: ['RS256'],
      issuer: state.issuer,
    }) as jwt.JwtPayload;
    if ((p.scope !== 'reg' && p.scope !== 'reg-update') || typeof p.jti !== 'string')
      return { ok: false, reason: 'invalid_registration_token' };
    if (state.usedRegistrationTokens.has(p.jti)) return { ok: false, reason: 'token_already_used' };
    return { ok: true, jti: p.jti, update: p.scope === 'reg-update' ? String(p.sub) : undefined };
  } catch (err) {
    return {
      ok: false,
      reason: (err as Error).name === 'TokenExpiredError' ? 'token_expired' : 'invalid_registration_token',
    };
  }
}

const url = z.string().url();
const registrationSchema = z
  .object({
    response_types: z.array(z.string()).refine((a) => a.includes('id_token'), 'must include "id_token"'),
    initiate_login_uri: url,
    redirect_uris: z.array(url).min(1),
    client_name: z.string().min(1),
    jwks_uri: url,
    token_endpoint_auth_method: z.literal('private_key_jwt'),
    scope: z.string().optional(),
    [TOOL_CONF]: z
      .object({
        domain: z.string().min(1),
        target_link_uri: url,
        custom_parameters: z.record(z.string()).optional(),
        messages: z
          .array(z.object({ type: z.string(), target_link_uri: url.optional() }).passthrough())
          .optional(),
      })
      .passthrough(),
  })
  .passthrough();

/** Scopes a registration gets: what it asked for, of what the LMS supports and the test allows. */
function grantScopes(state: LmsState, asked: string | undefined): string[] {
  const allowed = state.grantableScopes ?? SUPPORTED_SCOPES;
  return (asked ?? '').split(/\s+/).filter((s) => s && SUPPORTED_SCOPES.includes(s) && allowed.includes(s));
}

export function registrationRoutes(router: Router, state: LmsState): void {
  const config = (req: Request, res: Response) => {
    // The bearer token is allowed here (Canvas wants it); when present it must be one of ours.
    if (req.get('authorization')) {
      const check = checkRegistrationToken(state, req);
      if (!check.ok && check.reason !== 'token_already_used')
        return res.status(401).type('text').send(check.reason);
    }
    res.json(openidConfiguration(state));
  };
  router.get('/.well-known/openid-configuration', config);
  router.get('/openid-configuration', config);

  router.post('/register', express.json({ limit: '100kb' }), (req, res) => {
    const check = checkRegistrationToken(state, req);
    // Moodle answers token problems with 401 and the reason as the body.
    if (!check.ok) return res.status(401).type('text').send(check.reason);
    const parsed = registrationSchema.safeParse(req.body);
    if (!parsed.success) {
      const description = parsed.error.issues
        .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ');
      return res.status(400).json({ error: 'invalid_client_metadata', error_description: description });
    }
    const reg = parsed.data;
    const conf = reg[TOOL_CONF];
    const target = new URL(conf.target_link_uri);
    if (conf.domain !== target.host && conf.domain !== target.hostname) {
      return res.status(400).json({
        error: 'invalid_client_metadata',
        error_description: `domain "${conf.domain}" does not match target_link_uri ${conf.target_link_uri}`,
      });
    }
    // Moodle answers an update token for a tool it does not have with 400 "Unknown client".
    const updating = check.update === undefined ? undefined : state.tools.get(check.update);
    if (check.update !== undefined && !updating) return res.status(400).type('text').send('Unknown client');
    // Single use: marked before anything else can interleave (the check above was synchronous).
    state.usedRegistrationTokens.add(check.jti);
    const dl = conf.messages?.find((m) => m.type === 'LtiDeepLinkingRequest');
    const tool: ToolRecord = {
      clientId: updating?.clientId ?? randomBytes(12).toString('base64url'),
      deploymentId: updating?.deploymentId ?? state.newDeploymentId(),
      name: reg.client_name,
      jwksUrl: reg.jwks_uri,
      loginUrl: reg.initiate_login_uri,
      launchUrl: conf.target_link_uri,
      redirectUris: reg.redirect_uris,
      deepLinking: Boolean(dl),
      deepLinkingUrl: dl?.target_link_uri,
      scopes: grantScopes(state, reg.scope),
      custom: conf.custom_parameters,
    };
    state.tools.set(tool.clientId, tool);
    log.info({ client_id: tool.clientId, deployment_id: tool.deploymentId, update: Boolean(updating) }, 'devlms: tool registered');
    res.json({
      ...reg,
      client_id: tool.clientId,
      scope: tool.scopes.join(' '),
      [TOOL_CONF]: { ...conf, version: '1.3.0', deployment_id: tool.deploymentId },
    });
  });
}
