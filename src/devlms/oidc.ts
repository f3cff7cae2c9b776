import type { Request, Response, Router } from 'express';
import { log } from '../log.js';
import { render, renderError } from './render.js';
import { claimsFor, resolveUser, signIdToken } from './id_token.js';
import type { LmsState } from './state.js';

export type AuthOutcome =
  | { ok: true; redirectUri: string; idToken: string; state: string }
  | { ok: false; error: string; description: string };

const fail = (error: string, description: string): AuthOutcome => ({ ok: false, error, description });

/**
 * The OIDC authorization step of an LTI launch: checks the tool's authentication request the way
 * the LTI 1.3 security framework requires, finds the launch the LMS started (by the opaque
 * lti_message_hint) and signs its id_token.
 */
export function authorize(state: LmsState, p: Record<string, unknown>): AuthOutcome {
  const str = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
  const clientId = str('client_id');
  if (!clientId) return fail('invalid_request', 'client_id is missing.');
  const tool = state.tool(clientId);
  if (!tool) return fail('unauthorized_client', `No tool is registered with client_id "${clientId}".`);
  if (str('response_type') !== 'id_token')
    return fail('unsupported_response_type', 'response_type must be "id_token".');
  if (!(str('scope') ?? '').split(' ').includes('openid'))
    return fail('invalid_scope', 'scope must include "openid".');
  if (str('response_mode') !== 'form_post')
    return fail('invalid_request', 'response_mode must be "form_post".');
  if (str('prompt') !== 'none') return fail('invalid_request', 'prompt must be "none".');
  const nonce = str('nonce');
  if (!nonce) return fail('invalid_request', 'nonce is missing.');
  const st = str('state');
  if (!st) return fail('invalid_request', 'state is missing.');
  const redirectUri = str('redirect_uri');
  if (!redirectUri) return fail('invalid_request', 'redirect_uri is missing.');
  if (!tool.redirectUris.includes(redirectUri))
    return fail('invalid_request', `redirect_uri "${redirectUri}" is not registered for this tool.`);
  const loginHint = str('login_hint');
  if (!loginHint) return fail('login_required', 'login_hint is missing.');
  const hint = str('lti_message_hint');
  const launch = hint ? state.launches.get(hint) : undefined;
  if (!launch || launch.expires < Date.now())
    return fail(
      'invalid_request',
      'lti_message_hint is missing, unknown or expired: start the launch again.',
    );
  const options = launch.options;
  if ((options.clientId ?? state.defaultClientId) !== clientId)
    return fail('invalid_request', 'This launch was started for another tool.');
  // The LMS signs only for the user it started the launch for.
  if (resolveUser(options.user).sub !== loginHint)
    return fail('login_required', 'login_hint does not match the user of this launch.');
  const idToken = signIdToken(state, claimsFor(state, options, nonce));
  return { ok: true, redirectUri, idToken, state: st };
}

/** GET or POST /auth: the answer is an auto-submitting form to the tool, or a readable error page. */
export function authRoutes(router: Router, state: LmsState): void {
  const handler = (req: Request, res: Response) => {
    const params = req.method === 'POST' ? { ...req.query, ...req.body } : req.query;
    const out = authorize(state, params as Record<string, unknown>);
    if (!out.ok) {
      log.info({ error: out.error, client_id: params.client_id }, 'devlms: authentication request refused');
      return renderError(res, 400, `Launch refused (${out.error})`, out.description);
    }
    render(res, 'auth_post', { action: out.redirectUri, idToken: out.idToken, state: out.state });
  };
  router.get('/auth', handler);
  router.post('/auth', handler);
}
