import { createHash, randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../web/errors.js';
import { log } from '../log.js';
import { type AddressPolicy, platformRequest, PlatformHttpError, type PlatformResponse } from './platform_http.js';
import { addPlatform, ALL_SCOPES, findPlatform, listPlatforms, type PlatformRecord, type PlatformUpdate, updatePlatform } from './platforms.js';
import { tenantId } from './tenancy.js';

/**
 * LTI Dynamic Registration (the flow Moodle 4.x and Canvas use): the platform opens
 * `/lti/register?openid_configuration=…&registration_token=…`; the tool reads the platform's
 * configuration, posts its own registration, and stores what the platform granted (client id,
 * deployment id, scopes). A registration is pending until an admin approves it, unless it came
 * through a one-time registration link an admin created. The URLs come from whoever opened the
 * page, so every request to them goes through platform_http.ts.
 */
const TOOL_CONFIG = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
const PLATFORM_CONFIG = 'https://purl.imsglobal.org/spec/lti-platform-configuration';

// Only web URLs: `z.string().url()` alone accepts `data:` and `javascript:`, whose origin is "null".
const webUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

const platformConfigSchema = z.object({
  issuer: webUrl,
  authorization_endpoint: webUrl,
  token_endpoint: webUrl,
  jwks_uri: webUrl,
  registration_endpoint: webUrl,
  scopes_supported: z.array(z.string()).optional(),
  [PLATFORM_CONFIG]: z.object({ product_family_code: z.string().optional(), version: z.string().optional() }).passthrough().optional(),
});

const registrationResponseSchema = z.object({
  client_id: z.string().min(1).max(255),
  scope: z.string().optional(),
  [TOOL_CONFIG]: z.object({ deployment_id: z.string().min(1).max(255).optional() }).passthrough().optional(),
});

/** Where the logo that `logo_uri` advertises is served (public/logo.svg; logo.png beside it). */
export const LOGO_PATH = '/static/logo.svg';

export function toolRegistration(publicUrl: string, scopes: string[], productFamily?: string) {
  const launch = `${publicUrl}/lti/launch`;
  return {
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: `${publicUrl}/lti/login`,
    redirect_uris: [launch],
    client_name: 'Wayfinder',
    jwks_uri: `${publicUrl}/lti/keys`,
    logo_uri: `${publicUrl}${LOGO_PATH}`,
    token_endpoint_auth_method: 'private_key_jwt',
    scope: scopes.join(' '),
    [TOOL_CONFIG]: {
      domain: new URL(publicUrl).host,
      description: 'Adaptive practice that recommends each learner’s next item and grades back to the LMS.',
      target_link_uri: launch,
      claims: ['iss', 'sub', 'name', 'given_name', 'family_name', 'locale'],
      messages: [
        { type: 'LtiResourceLinkRequest', target_link_uri: launch },
        { type: 'LtiDeepLinkingRequest', target_link_uri: launch, label: 'Wayfinder', placements: ['ContentArea'] },
      ],
      ...(productFamily === 'canvas' ? { 'https://canvas.instructure.com/lti/privacy_level': 'public' } : {}),
    },
  };
}

/**
 * Refusal codes platforms answer registration problems with (Moodle: the bare code as the body;
 * OAuth-style: `{"error": code}`). Only these are shown: a remote body is never echoed, since the
 * URL it came from was chosen by an anonymous caller.
 */
const KNOWN_REFUSALS = new Set([
  'missing_registration_token',
  'invalid_registration_token',
  'token_already_used',
  'token_expired',
  'invalid_client_metadata',
  'invalid_redirect_uri',
  'unauthorized_client',
  'access_denied',
  'invalid_request',
  'invalid_token',
]);

function refusalCode(text: string): string | undefined {
  let code = text.trim().replace(/^"|"$/g, '');
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body?.error === 'string') code = body.error;
  } catch {
    // not JSON: Moodle's plain code
  }
  return KNOWN_REFUSALS.has(code) ? code : undefined;
}

async function fetchJson(
  url: string,
  init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
  what: string,
  policy: AddressPolicy,
): Promise<unknown> {
  let res: PlatformResponse;
  try {
    res = await platformRequest(url, init, policy);
  } catch (err) {
    if (!(err instanceof PlatformHttpError)) throw err;
    throw new AppError('REGISTRATION_FAILED', `could not reach the platform's ${what} at ${url}: ${err.message}`);
  }
  if (res.status >= 300 && res.status < 400) {
    throw new AppError('REGISTRATION_FAILED', `the platform's ${what} answered with a redirect (HTTP ${res.status}); Wayfinder follows none, so the platform must give the final URL`);
  }
  if (res.status < 200 || res.status >= 300) {
    log.warn({ url, status: res.status, body: res.text.slice(0, 300) }, `registration: the platform refused the ${what}`);
    const code = refusalCode(res.text);
    throw new AppError('REGISTRATION_FAILED', `the platform refused the ${what} (HTTP ${res.status}${code ? `: ${code}` : ''})`);
  }
  try {
    return JSON.parse(res.text);
  } catch {
    throw new AppError('REGISTRATION_FAILED', `the platform's ${what} is not JSON`);
  }
}

/** More uninvited registrations than this waiting for approval, and new ones are refused (429). */
export const MAX_PENDING = 20;

export interface RegistrationOutcome {
  platform: PlatformRecord;
  /** A known issuer + client id registered again (Moodle's "update"). */
  updated: boolean;
  /** The deployment id this registration brought, if any. */
  deploymentId?: string;
}

export async function registerDynamically(
  tool: { publicUrl: string; production: boolean },
  openidConfiguration: string,
  registrationToken: string | undefined,
  preApproved: boolean,
): Promise<RegistrationOutcome> {
  const policy: AddressPolicy = { production: tool.production };
  if (!preApproved && (await listPlatforms()).filter((p) => p.status === 'pending').length >= MAX_PENDING) {
    throw new AppError(
      'RATE_LIMITED',
      `${MAX_PENDING} registrations already wait for approval; an administrator must approve or remove some first, or register through a one-time registration link`,
    );
  }
  const auth: Record<string, string> = registrationToken ? { Authorization: `Bearer ${registrationToken}` } : {};
  const rawConfig = await fetchJson(openidConfiguration, { headers: auth }, 'OpenID configuration', policy);
  const parsed = platformConfigSchema.safeParse(rawConfig);
  if (!parsed.success) {
    throw new AppError('REGISTRATION_FAILED', `the platform's OpenID configuration is incomplete: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
  const config = parsed.data;
  if (new URL(openidConfiguration).origin !== new URL(config.issuer).origin) {
    // The spec requires the configuration URL to share the issuer's origin, so a link cannot
    // smuggle in a configuration for somebody else's issuer (no redirect was followed to get it).
    throw new AppError('REGISTRATION_FAILED', 'the OpenID configuration URL is not on the issuer’s origin');
  }
  if (tool.production) {
    const plain = [config.authorization_endpoint, config.token_endpoint, config.jwks_uri].find((u) => !u.startsWith('https://'));
    if (plain) throw new AppError('REGISTRATION_FAILED', `the platform's endpoint ${plain} is not https:// (required in production)`);
  }
  const productFamily = config[PLATFORM_CONFIG]?.product_family_code;
  const asked = config.scopes_supported ? ALL_SCOPES.filter((s) => config.scopes_supported!.includes(s)) : ALL_SCOPES;
  const answer = registrationResponseSchema.safeParse(
    await fetchJson(
      config.registration_endpoint,
      { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(toolRegistration(tool.publicUrl, asked, productFamily)) },
      'registration',
      policy,
    ),
  );
  if (!answer.success) throw new AppError('REGISTRATION_FAILED', 'the platform’s registration answer has no client_id');
  const granted = answer.data.scope !== undefined ? answer.data.scope.split(/\s+/).filter((s) => asked.includes(s)) : asked;
  const deploymentId = answer.data[TOOL_CONFIG]?.deployment_id;
  const endpoints = { authUrl: config.authorization_endpoint, tokenUrl: config.token_endpoint, jwksUrl: config.jwks_uri };
  const existing = await findPlatform(config.issuer, answer.data.client_id);
  if (existing) {
    const platform = await updatePlatform(existing._id, reRegistration(existing, { ...endpoints, grantedScopes: granted, deploymentId }, preApproved));
    log.info({ platform: platform._id, issuer: platform.issuer, status: platform.status }, 'platform re-registered dynamically (update)');
    return { platform, updated: true, deploymentId };
  }
  const platform = await addPlatform(
    {
      issuer: config.issuer,
      clientId: answer.data.client_id,
      name: productFamily ? `${productFamily} (${new URL(config.issuer).host})` : undefined,
      ...endpoints,
      deploymentIds: deploymentId ? [deploymentId] : [],
      grantedScopes: granted,
    },
    { status: preApproved ? 'active' : 'pending', source: 'dynamic', productFamily },
  );
  log.info({ platform: platform._id, issuer: platform.issuer, status: platform.status }, 'platform registered dynamically');
  return { platform, updated: false, deploymentId };
}

/**
 * A registration of a known issuer + client id (Moodle's "update" keeps the client id and posts
 * again) under the rules a new one follows: through a one-time link it is active; otherwise an
 * approved platform stays approved only while its endpoints (which decide whose signatures are
 * trusted) are unchanged, and a deployment it has not seen waits for approval as an unseen
 * deployment at launch would. A disabled platform stays disabled: only the operator enables it.
 */
export function reRegistration(
  p: PlatformRecord,
  next: { authUrl: string; tokenUrl: string; jwksUrl: string; grantedScopes: string[]; deploymentId?: string },
  preApproved: boolean,
): PlatformUpdate {
  const endpointsChanged = p.authUrl !== next.authUrl || p.tokenUrl !== next.tokenUrl || p.jwksUrl !== next.jwksUrl;
  const status = p.status === 'disabled' ? 'disabled' : preApproved ? 'active' : endpointsChanged ? 'pending' : p.status;
  const deployments = [...p.deployments];
  if (next.deploymentId && !deployments.some((d) => d.id === next.deploymentId)) {
    deployments.push({
      id: next.deploymentId,
      status: preApproved || p.autoApproveDeployments ? 'approved' : 'pending',
      tenantId: tenantId(p.issuer, p.clientId, next.deploymentId),
      firstSeen: new Date(),
    });
  }
  return { authUrl: next.authUrl, tokenUrl: next.tokenUrl, jwksUrl: next.jwksUrl, grantedScopes: next.grantedScopes, deployments, status };
}

/** One-time registration links: an admin creates one; the platform that uses it is active at once. */
interface Invite {
  _id: string;
  createdAt: Date;
  note?: string;
}
const InviteModel = mongoose.model<Invite>('RegistrationInvite', new Schema<Invite>({ _id: String, createdAt: Date, note: String }, { versionKey: false }), 'wf_registration_invites');
// Using an invite inserts its id here; the unique _id makes the use single and atomic on FerretDB too.
const InviteUseModel = mongoose.model('RegistrationInviteUse', new Schema({ _id: String, at: Date }, { versionKey: false }), 'wf_registration_invite_uses');

const INVITE_DAYS = 7;
const hash = (t: string) => createHash('sha256').update(t).digest('base64url');

export async function createRegistrationLink(publicUrl: string, note?: string): Promise<{ url: string; expiresAt: Date }> {
  const token = randomBytes(24).toString('base64url');
  const createdAt = new Date();
  await InviteModel.create({ _id: hash(token), createdAt, note });
  return { url: `${publicUrl}/lti/register?invite=${token}`, expiresAt: new Date(createdAt.getTime() + INVITE_DAYS * 864e5) };
}

/** Gives an invite back after a registration that used it failed, so the admin's link still works. */
export async function releaseInvite(token: string): Promise<void> {
  await InviteUseModel.deleteOne({ _id: hash(token) });
}

/** True when the invite exists, is fresh and was not used before; marks it used. */
export async function consumeInvite(token: string): Promise<boolean> {
  const invite = await InviteModel.findById(hash(token)).lean<Invite>();
  if (!invite || Date.now() - invite.createdAt.getTime() > INVITE_DAYS * 864e5) return false;
  try {
    await InviteUseModel.create({ _id: invite._id, at: new Date() });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return false;
    throw err;
  }
}
