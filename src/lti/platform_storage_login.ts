import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { log } from '../log.js';
import { AppError, describeIssues } from '../web/errors.js';
import { render } from '../web/views.js';
import { findPlatform, findPlatformsByIssuer, type PlatformRecord } from './platforms.js';
import { lti } from './provider.js';
import { rememberLogin, storageSteps } from './platform_storage_store.js';

/**
 * Login initiation in front of ltijs's. Without `lti_storage_target` the login stays ltijs's
 * (a 302 with its state cookie); Wayfinder only notes the state it issued (see LoginRecord). With
 * it, Wayfinder does the login itself, because ltijs's login neither knows platform storage nor
 * remembers its nonce: the page it answers stores state and nonce in the platform's window with
 * `lti.put_data`, then continues to the platform's auth endpoint with the same parameters ltijs
 * would send. The launch is then checked against this record (platform_storage_launch.ts) before
 * ltijs runs its usual signature, audience and nonce-replay checks.
 */
const loginSchema = z.object({
  iss: z.string().min(1),
  login_hint: z.string().min(1),
  target_link_uri: z.string().url(),
  client_id: z.string().min(1).optional(),
  lti_message_hint: z.string().optional(),
  lti_deployment_id: z.string().optional(),
  // A frame name (`_parent`, Canvas's `post_message_forwarding`), never a URL or script: anything
  // else is ignored and the login takes the cookie path.
  lti_storage_target: z
    .string()
    .regex(/^[\w.-]{1,64}$/)
    .optional()
    .catch(undefined),
});
type LoginParams = z.infer<typeof loginSchema>;

/** The OIDC authentication request, parameter for parameter what ltijs's login sends. */
function authRequestQuery(p: LoginParams, clientId: string, state: string, nonce: string): Record<string, string> {
  return {
    response_type: 'id_token',
    response_mode: 'form_post',
    id_token_signed_response_alg: 'RS256',
    scope: 'openid',
    client_id: p.client_id ?? clientId,
    redirect_uri: p.target_link_uri.split('?')[0],
    login_hint: p.login_hint,
    nonce,
    prompt: 'none',
    state,
    ...(p.lti_message_hint ? { lti_message_hint: p.lti_message_hint } : {}),
    ...(p.lti_deployment_id ? { lti_deployment_id: p.lti_deployment_id } : {}),
  };
}

/** The parameters worth keeping to start the same launch again (not ours, not Canvas's extras). */
function relaunchParams(p: LoginParams): Record<string, string> {
  const { lti_storage_target: _target, ...rest } = p;
  return Object.fromEntries(Object.entries(rest).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The tool's login URL for a new-window launch: a top-level window keeps first-party cookies. */
export function newWindowLoginUrl(login: Record<string, string>): string {
  return `/lti/login?${new URLSearchParams(login)}`;
}

async function activePlatform(iss: string, clientId: string | undefined): Promise<PlatformRecord | undefined> {
  const found = clientId ? await findPlatform(iss, clientId) : (await findPlatformsByIssuer(iss)).at(0);
  return found?.status === 'active' ? found : undefined;
}

/** ltijs answers the login with `res.redirect(authUrl?…state=…&nonce=…)`: note state and nonce on the way out. */
function rememberCookieLogin(req: Request, res: Response, p: LoginParams): void {
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    const to = args.find((a): a is string => typeof a === 'string');
    const sent = to ? new URL(to, 'http://x').searchParams : undefined;
    const state = sent?.get('state');
    if (!state) return redirect(...args);
    // The nonce ltijs sent (it keeps none): the launch must carry this one (platform_storage_launch.ts).
    rememberLogin({ _id: state, iss: p.iss, clientId: p.client_id ?? '', nonce: sent?.get('nonce') ?? undefined, login: relaunchParams(p) })
      .catch((err: Error) => log.warn({ err: err.message }, 'could not note the login state'))
      .finally(() => redirect(...args));
  }) as Response['redirect'];
}

async function storageLogin(req: Request, res: Response, p: LoginParams & { lti_storage_target: string }, platform: PlatformRecord) {
  const state = randomBytes(25).toString('hex');
  const nonce = randomBytes(24).toString('base64url');
  const query = authRequestQuery(p, platform.clientId, state, nonce);
  const search = p.target_link_uri.split('?')[1];
  if (search !== undefined) {
    // As ltijs's own login does: ltijs hands these query parameters back at launch.
    const db = (lti as unknown as { Database: { Insert(e: false, c: string, d: object): Promise<unknown> } }).Database;
    await db.Insert(false, 'state', { state, query: Object.fromEntries(new URLSearchParams(search)) });
  }
  const origin = new URL(platform.authUrl).origin;
  await rememberLogin({
    _id: state,
    iss: platform.issuer,
    clientId: platform.clientId,
    login: relaunchParams(p),
    storage: { target: p.lti_storage_target, origin, nonce },
  });
  storageSteps.inc({ step: 'login_page' });
  res.set('Cache-Control', 'no-store');
  render(req, res, 'lti/storage_login.njk', {
    authUrl: platform.authUrl,
    query,
    storage: { target: p.lti_storage_target, origin, state, nonce },
    newWindowUrl: newWindowLoginUrl(relaunchParams(p)),
  });
}

/** Express middleware for `/lti/login`, mounted before ltijs. */
export function platformStorageLogin() {
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  return (req: Request, res: Response, next: NextFunction) =>
    form(req, res, async () => {
      // Only well-formed logins (strings, a URL target) reach ltijs, which would take objects and arrays too.
      const parsed = loginSchema.safeParse({ ...req.query, ...req.body });
      if (!parsed.success) {
        return next(new AppError('BAD_REQUEST', `the login initiation is incomplete or malformed (${describeIssues(parsed.error.issues)}); start the launch from your course again`));
      }
      const p = parsed.data;
      try {
        const platform = p.lti_storage_target ? await activePlatform(p.iss, p.client_id) : undefined;
        if (!platform || !p.lti_storage_target) {
          rememberCookieLogin(req, res, p);
          return next();
        }
        await storageLogin(req, res, { ...p, lti_storage_target: p.lti_storage_target }, platform);
      } catch (err) {
        next(err);
      }
    });
}
