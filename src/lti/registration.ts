import { createHash, randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../web/errors.js';
import { log } from '../log.js';
import { addPlatform, ALL_SCOPES, type PlatformRecord } from './platforms.js';

/**
 * LTI Dynamic Registration (the flow Moodle 4.x and Canvas use): the platform opens
 * `/lti/register?openid_configuration=…&registration_token=…`; the tool reads the platform's
 * configuration, posts its own registration, and stores what the platform granted (client id,
 * deployment id, scopes). A registration is pending until an admin approves it, unless it came
 * through a one-time registration link an admin created.
 */
const TOOL_CONFIG = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
const PLATFORM_CONFIG = 'https://purl.imsglobal.org/spec/lti-platform-configuration';

const platformConfigSchema = z.object({
  issuer: z.string().url(),
  authorization_endpoint: z.string().url(),
  token_endpoint: z.string().url(),
  jwks_uri: z.string().url(),
  registration_endpoint: z.string().url(),
  scopes_supported: z.array(z.string()).optional(),
  [PLATFORM_CONFIG]: z.object({ product_family_code: z.string().optional(), version: z.string().optional() }).passthrough().optional(),
});

const registrationResponseSchema = z.object({
  client_id: z.string().min(1),
  scope: z.string().optional(),
  [TOOL_CONFIG]: z.object({ deployment_id: z.string().optional() }).passthrough().optional(),
});

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
    logo_uri: `${publicUrl}/static/logo.svg`,
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

async function fetchJson(url: string, init: RequestInit, what: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new AppError('REGISTRATION_FAILED', `could not reach the platform's ${what} at ${url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    throw new AppError('REGISTRATION_FAILED', `the platform refused the ${what} (${res.status}): ${text.slice(0, 300)}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('REGISTRATION_FAILED', `the platform's ${what} is not JSON`);
  }
}

export async function registerDynamically(
  publicUrl: string,
  openidConfiguration: string,
  registrationToken: string | undefined,
  preApproved: boolean,
): Promise<PlatformRecord> {
  const auth: Record<string, string> = registrationToken ? { Authorization: `Bearer ${registrationToken}` } : {};
  const rawConfig = await fetchJson(openidConfiguration, { headers: auth }, 'OpenID configuration');
  const parsed = platformConfigSchema.safeParse(rawConfig);
  if (!parsed.success) {
    throw new AppError('REGISTRATION_FAILED', `the platform's OpenID configuration is incomplete: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
  const config = parsed.data;
  if (new URL(openidConfiguration).origin !== new URL(config.issuer).origin) {
    // The spec requires the configuration URL to share the issuer's origin, so a link cannot
    // smuggle in a configuration for somebody else's issuer.
    throw new AppError('REGISTRATION_FAILED', 'the OpenID configuration URL is not on the issuer’s origin');
  }
  const productFamily = config[PLATFORM_CONFIG]?.product_family_code;
  const asked = config.scopes_supported ? ALL_SCOPES.filter((s) => config.scopes_supported!.includes(s)) : ALL_SCOPES;
  const answer = registrationResponseSchema.safeParse(
    await fetchJson(
      config.registration_endpoint,
      { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(toolRegistration(publicUrl, asked, productFamily)) },
      'registration',
    ),
  );
  if (!answer.success) throw new AppError('REGISTRATION_FAILED', 'the platform’s registration answer has no client_id');
  const granted = answer.data.scope !== undefined ? answer.data.scope.split(/\s+/).filter((s) => asked.includes(s)) : asked;
  const deploymentId = answer.data[TOOL_CONFIG]?.deployment_id;
  const platform = await addPlatform(
    {
      issuer: config.issuer,
      clientId: answer.data.client_id,
      name: productFamily ? `${productFamily} (${new URL(config.issuer).host})` : undefined,
      authUrl: config.authorization_endpoint,
      tokenUrl: config.token_endpoint,
      jwksUrl: config.jwks_uri,
      deploymentIds: deploymentId ? [deploymentId] : [],
      grantedScopes: granted,
    },
    { status: preApproved ? 'active' : 'pending', source: 'dynamic', productFamily },
  );
  log.info({ platform: platform._id, issuer: platform.issuer, status: platform.status }, 'platform registered dynamically');
  return platform;
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
