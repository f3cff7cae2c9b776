import express, { type NextFunction, type Request, type Response } from 'express';
import jwt from 'jsonwebtoken';
import type { IdToken } from 'ltijs';
import { opensActivity } from '../content/deep_link.js';
import { errorHandler } from '../web/error_handler.js';
import { AppError } from '../web/errors.js';
import { metrics } from '../web/metrics.js';
import { CLAIM, MESSAGE_TYPES, type MessageType } from './claims.js';
import { recordLaunchFailure } from './launch_failures.js';
import { checkDeployment } from './platforms.js';
import { isTestUser, mapRoles } from './roles.js';
import { createLaunchSession, type LaunchContext } from './session.js';
import { courseId, platformKey } from './tenancy.js';

/**
 * Launch validation in two halves. `precheckLaunch` runs before ltijs sees the id_token and
 * refuses, storing nothing, what ltijs does not check: the algorithm, the deployment allow-list,
 * the LTI version and message type, required claims, `iat` in the future, several `aud` without
 * `azp`. ltijs then checks the signature against the platform's key set, iss against the login
 * state cookie, aud/azp, exp (with the skew leeway), and nonce replay. `completeLaunch` turns the
 * validated token into Wayfinder's launch session and the role's landing page.
 */
export class LaunchRefused extends AppError {
  constructor(
    readonly reason: string,
    message: string,
    unauthorized = false,
  ) {
    super(unauthorized ? 'LAUNCH_UNAUTHORIZED' : 'LAUNCH_INVALID', message, { reason });
  }
}

type Claims = Record<string, unknown> & {
  iss?: unknown;
  aud?: unknown;
  azp?: unknown;
  sub?: unknown;
  exp?: unknown;
  iat?: unknown;
  nonce?: unknown;
};

/** The (unverified) issuer of a posted id_token, for logging a refusal. */
function issuerOf(idToken: unknown): string | undefined {
  const iss = typeof idToken === 'string' ? (jwt.decode(idToken) as Claims | null)?.iss : undefined;
  return typeof iss === 'string' ? iss : undefined;
}

export const STATE_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;

function refuse(reason: string, message: string): never {
  throw new LaunchRefused(reason, message);
}

/** The checks on the decoded (not yet verified) token. Returns the tenant the launch belongs to. */
export async function precheckIdToken(idToken: unknown, state: unknown, clockSkewSeconds: number): Promise<string> {
  if (typeof idToken !== 'string' || idToken === '') refuse('ID_TOKEN_MISSING', 'the launch carries no id_token');
  const decoded = jwt.decode(idToken, { complete: true });
  if (!decoded || typeof decoded.payload !== 'object') refuse('ID_TOKEN_MALFORMED', 'the id_token is not a JSON Web Token');
  const { header } = decoded;
  if (header.alg !== 'RS256') {
    refuse('ALG_NOT_ALLOWED', `the id_token is signed with "${header.alg}"; LTI 1.3 requires RS256`);
  }
  if (!header.kid) refuse('KID_MISSING', 'the id_token header names no key (kid)');
  if (typeof state !== 'string' || state === '') refuse('STATE_MISSING', 'the launch carries no state parameter');
  // The states Wayfinder and ltijs issue are hex; anything else (spaces, `;`) would also be an
  // invalid cookie name, on which ltijs throws from its own error handler.
  if (!STATE_PATTERN.test(state)) refuse('STATE_INVALID', 'the state parameter is not one Wayfinder issued; open the activity again');
  const c = decoded.payload as Claims;
  if (typeof c.iss !== 'string' || !c.iss) refuse('ISS_MISSING', 'the id_token has no issuer (iss)');
  const auds = Array.isArray(c.aud) ? c.aud : [c.aud];
  if (!auds.length || auds.some((a) => typeof a !== 'string')) refuse('AUD_MISSING', 'the id_token has no audience (aud)');
  let clientId = auds[0] as string;
  if (auds.length > 1) {
    if (typeof c.azp !== 'string') refuse('AZP_MISSING', 'the id_token has several audiences but no authorized party (azp)');
    if (!auds.includes(c.azp)) refuse('AZP_INVALID', 'the authorized party (azp) is not one of the audiences');
    clientId = c.azp;
  } else if (c.azp !== undefined && c.azp !== clientId) {
    refuse('AZP_INVALID', 'the authorized party (azp) is not the audience');
  }
  const now = Date.now() / 1000;
  if (typeof c.exp !== 'number' || typeof c.iat !== 'number') refuse('TIME_CLAIMS_MISSING', 'the id_token lacks exp or iat');
  if (c.iat > now + clockSkewSeconds) {
    refuse('IAT_IN_FUTURE', `the id_token was issued ${Math.round(c.iat - now)} s in the future; check the LMS clock`);
  }
  if (c.exp < now - clockSkewSeconds) refuse('TOKEN_EXPIRED', 'the id_token has expired; open the activity again');
  if (typeof c.nonce !== 'string' || !c.nonce) refuse('NONCE_MISSING', 'the id_token carries no nonce');
  if (c[CLAIM.version] !== '1.3.0') {
    refuse('VERSION_INVALID', `the LTI version is "${String(c[CLAIM.version])}"; Wayfinder speaks LTI 1.3.0`);
  }
  const type = c[CLAIM.messageType];
  if (!MESSAGE_TYPES.includes(type as MessageType)) {
    refuse('MESSAGE_TYPE_UNSUPPORTED', `the message type "${String(type)}" is not one Wayfinder accepts (${MESSAGE_TYPES.join(', ')})`);
  }
  const deploymentId = c[CLAIM.deploymentId];
  if (typeof deploymentId !== 'string' || !deploymentId) refuse('DEPLOYMENT_MISSING', 'the launch has no deployment_id');
  if (!Array.isArray(c[CLAIM.roles])) refuse('ROLES_MISSING', 'the launch has no roles claim');
  const context = c[CLAIM.context] as { id?: unknown } | undefined;
  if (!context || typeof context.id !== 'string' || !context.id) {
    refuse('CONTEXT_MISSING', 'the launch has no course context; add Wayfinder inside a course');
  }
  if (type === 'LtiResourceLinkRequest') {
    if (typeof c.sub !== 'string' || !c.sub) refuse('SUB_MISSING', 'a resource link launch must name the user (sub)');
    const link = c[CLAIM.resourceLink] as { id?: unknown } | undefined;
    if (!link || typeof link.id !== 'string' || !link.id) refuse('RESOURCE_LINK_MISSING', 'the launch has no resource_link id');
  } else {
    const dl = c[CLAIM.deepLinkingSettings] as { deep_link_return_url?: unknown } | undefined;
    if (!dl || typeof dl.deep_link_return_url !== 'string') {
      refuse('DEEP_LINKING_SETTINGS_MISSING', 'the deep linking request has no deep_link_return_url');
    }
  }
  const check = await checkDeployment(c.iss, clientId, deploymentId);
  if (!check.ok) refuse(check.reason, check.message);
  return check.tenantId;
}

/** Express middleware in front of ltijs's launch route. */
export function precheckLaunch(clockSkewSeconds: number) {
  const form = express.urlencoded({ extended: false, limit: '64kb' });
  return (req: Request, res: Response, next: NextFunction) =>
    form(req, res, async () => {
      const body = (req.body ?? {}) as { id_token?: unknown; state?: unknown; ltik?: unknown };
      // Only an id_token opens a session: with an ltik beside it, ltijs would take the ltik and
      // re-mint the old session's launch without any of the checks here.
      delete body.ltik;
      delete (req.query as { ltik?: unknown }).ltik;
      delete req.headers.authorization;
      try {
        res.locals.tenantId = await precheckIdToken(body.id_token, body.state, clockSkewSeconds);
        next();
      } catch (err) {
        if (err instanceof LaunchRefused) {
          await recordLaunchFailure(err.reason, err.message, issuerOf(body.id_token));
        }
        next(err);
      }
    });
}

/** What ltijs's error codes mean, for the person who sees the refusal page. */
const LTIJS_REASONS: Record<string, string> = {
  MISSING_VALIDATION_COOKIE:
    'the login state did not come back with the launch (the state does not match, or the browser blocked the tool’s cookie)',
  ISS_CLAIM_DOES_NOT_MATCH: 'the issuer (iss) is not the platform that started the login',
  UNREGISTERED_PLATFORM: 'no platform is registered for this issuer and client id',
  PLATFORM_NOT_ACTIVATED: 'this platform is registered but not yet approved by an administrator',
  PLATFORM_DISABLED: 'this platform is disabled in Wayfinder; its operator must enable it again',
  KID_NOT_FOUND: 'the id_token names no signing key',
  KEY_NOT_FOUND: 'the signing key (kid) is not in the platform’s key set',
  KEYSET_NOT_FOUND: 'the platform’s key set could not be read',
  AUD_DOES_NOT_MATCH_CLIENTID: 'the audience (aud) is not Wayfinder’s client id',
  AZP_DOES_NOT_MATCH_CLIENTID: 'the authorized party (azp) is not Wayfinder’s client id',
  NONCE_ALREADY_RECEIVED: 'this launch was already used (nonce replayed); open the activity again',
  'invalid signature': 'the id_token signature does not verify with the platform’s key',
  'jwt expired': 'the id_token has expired; open the activity again',
};

/**
 * ltijs's refusal callback: the same readable answer as Wayfinder's own checks. ltijs calls some
 * of its callbacks without `next` (login from an unknown or inactive platform): answer directly then.
 */
export async function ltijsRefusal(req: Request, res: Response, next?: NextFunction): Promise<void> {
  const err = (res.locals.err ?? {}) as { details?: { message?: string } };
  const code = err.details?.message ?? 'UNKNOWN';
  const reason = code.replace(/\s+/g, '_').toUpperCase();
  const message = LTIJS_REASONS[code] ?? `the launch could not be validated (${code})`;
  await recordLaunchFailure(reason, message, issuerOf(req.body?.id_token));
  const refusal = new LaunchRefused(reason, message, true);
  if (next) next(refusal);
  else errorHandler(refusal, req, res, () => {});
}

/** After ltijs validated the launch: create the session and send the user to their landing page. */
export async function completeLaunch(token: IdToken, req: Request, res: Response, next: NextFunction): Promise<void> {
  try {
    // Reached only by a POSTed id_token that precheckLaunch accepted (the tenant it found) and
    // ltijs verified (an ltik it minted for this very state): never by an old ltik.
    const body = (req.body ?? {}) as { id_token?: unknown; state?: unknown };
    const minted = jwt.decode(String(res.locals.ltik ?? '')) as { s?: unknown } | null;
    if (req.method !== 'POST' || typeof body.id_token !== 'string' || minted?.s !== body.state || !res.locals.tenantId) {
      throw new LaunchRefused('ID_TOKEN_MISSING', 'only a launch from your course (an id_token) opens Wayfinder; open the activity again', true);
    }
    const ctx = token.platformContext;
    const role = mapRoles(ctx.roles ?? []);
    if (!role) {
      await recordLaunchFailure('ROLE_UNSUPPORTED', 'no role Wayfinder serves', token.iss);
      throw new LaunchRefused('ROLE_UNSUPPORTED', 'your course role has no access to Wayfinder (it serves learners, instructors and administrators)');
    }
    const tenant = res.locals.tenantId as string;
    const contextId = ctx.context?.id as string;
    const ltik = res.locals.ltik as string;
    const launch = await createLaunchSession(ltik, {
      tenantId: tenant,
      courseId: courseId(tenant, contextId),
      platformKey: platformKey(token.iss, token.clientId),
      issuer: token.iss,
      clientId: token.clientId,
      deploymentId: token.deploymentId,
      sub: token.user,
      name: token.userInfo?.name || [token.userInfo?.given_name, token.userInfo?.family_name].filter(Boolean).join(' ') || token.user,
      roles: ctx.roles,
      role,
      testUser: isTestUser(ctx.roles),
      contextId,
      contextTitle: ctx.context?.title ?? ctx.context?.label ?? contextId,
      contextIdHistory: contextIdHistory((ctx.context as { context_id_history?: unknown } | undefined)?.context_id_history),
      resourceLinkId: ctx.resource?.id,
      resourceLinkTitle: ctx.resource?.title,
      messageType: ctx.messageType as MessageType,
      custom: (ctx.custom as Record<string, unknown>) ?? {},
      locale: ctx.launchPresentation?.locale,
      returnUrl: ctx.launchPresentation?.return_url,
      ags: ctx.endpoint as LaunchContext['ags'],
      nrps: ctx.namesRoles as LaunchContext['nrps'],
      deepLinking: ctx.deepLinkingSettings,
    });
    metrics.launches.inc({ outcome: 'accepted', reason: launch.messageType });
    res.redirect(303, `${landingPath(launch)}?ltik=${encodeURIComponent(ltik)}`);
  } catch (err) {
    next(err);
  }
}

/** LTI's course-copy claim: the context ids this course was copied from, most recent first. */
function contextIdHistory(claim: unknown): string[] | undefined {
  const ids = (Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(',') : [])
    .filter((id): id is string => typeof id === 'string')
    .map((id) => id.trim())
    .filter(Boolean);
  return ids.length ? ids : undefined;
}

export function landingPath(launch: Pick<LaunchContext, 'role' | 'messageType' | 'custom'>): string {
  if (launch.messageType === 'LtiDeepLinkingRequest') return '/teacher/deep-link';
  // A teacher opening a deep-linked activity previews it as a student would (statements marked preview).
  if (launch.role !== 'student' && opensActivity(launch.custom)) return '/student';
  return { student: '/student', teacher: '/teacher', admin: '/admin' }[launch.role];
}

