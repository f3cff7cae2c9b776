import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { CLAIM } from '../lti/claims.js';
import { lti } from '../lti/provider.js';
import type { LaunchContext } from '../lti/session.js';
import { AppError } from '../web/errors.js';

/**
 * The LTI Deep Linking 2.0 response: the teacher's choices as signed `ltiResourceLink` content
 * items, POSTed by the browser to the platform's `deep_link_return_url`. Signed here with the
 * tool's key for this platform (the one ltijs publishes at /lti/keys) rather than through ltijs,
 * which wants its own id-token object and drops `lineItem` details we need.
 */
export const RESOURCE_LINK = 'ltiResourceLink';
/** Custom parameters that name what a resource link opens; the player reads them at launch. */
export const CUSTOM = { pathway: 'wayfinder_pathway', item: 'wayfinder_item' } as const;

/** Whether a launch's custom parameters name a pathway or item (a deep-linked activity). */
export const opensActivity = (custom: Record<string, unknown> | undefined): boolean =>
  Object.values(CUSTOM).some((key) => typeof custom?.[key] === 'string' && (custom[key] as string).trim() !== '');
/** A response must reach the platform soon after it is made. */
const RESPONSE_TTL_SECONDS = 300;

export interface DeepLinkSettings {
  returnUrl: string;
  acceptTypes: string[];
  acceptMultiple: boolean;
  acceptLineItem: boolean;
  data?: string;
}

const settingsSchema = z.object({
  deep_link_return_url: z.string().url(),
  accept_types: z.array(z.string()).default([]),
  // Some platforms send the booleans as strings.
  accept_multiple: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  accept_lineitem: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  data: z.string().optional(),
});

/** The deep-linking settings of a launch, or a 403 when it was not a deep-linking launch. */
export function deepLinkSettings(launch: LaunchContext): DeepLinkSettings {
  const parsed = settingsSchema.safeParse(launch.deepLinking);
  if (launch.messageType !== 'LtiDeepLinkingRequest' || !parsed.success) {
    throw new AppError('FORBIDDEN', 'content can only be chosen from the LMS’s “add an activity” (deep linking) launch');
  }
  const s = parsed.data;
  return {
    returnUrl: s.deep_link_return_url,
    acceptTypes: s.accept_types,
    acceptMultiple: s.accept_multiple !== false && s.accept_multiple !== 'false',
    acceptLineItem: s.accept_lineitem !== false && s.accept_lineitem !== 'false',
    data: s.data,
  };
}

/** Wayfinder offers resource links only; a platform that does not accept them gets nothing to pick. */
export const offersResourceLinks = (s: DeepLinkSettings) => s.acceptTypes.includes(RESOURCE_LINK);

export interface Chosen {
  kind: 'pathway' | 'item';
  id: string;
  title: string;
  text?: string;
}

/** Full marks for a pathway or item; the grades area scales its scores to this. */
export const SCORE_MAXIMUM = 100;

export function contentItem(choice: Chosen, launchUrl: string, withLineItem: boolean): Record<string, unknown> {
  return {
    type: RESOURCE_LINK,
    title: choice.title,
    ...(choice.text ? { text: choice.text } : {}),
    // The platform enforces the registered redirect URI, so the target is the launch URL and the
    // choice travels in custom parameters.
    url: launchUrl,
    custom: { [CUSTOM[choice.kind]]: choice.id },
    ...(withLineItem
      ? { lineItem: { label: choice.title, scoreMaximum: SCORE_MAXIMUM, resourceId: `${choice.kind}:${choice.id}`, tag: `wayfinder-${choice.kind}` } }
      : {}),
  };
}

export async function signDeepLinkingResponse(launch: LaunchContext, items: Record<string, unknown>[], msg?: string): Promise<string> {
  const s = deepLinkSettings(launch);
  const platform = await lti.getPlatform(launch.issuer, launch.clientId);
  if (!platform) throw new AppError('PLATFORM_UNKNOWN', 'this LMS is no longer registered with Wayfinder; ask your administrator');
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    iss: launch.clientId,
    aud: launch.issuer,
    iat: now,
    exp: now + RESPONSE_TTL_SECONDS,
    nonce: randomUUID(),
    [CLAIM.deploymentId]: launch.deploymentId,
    [CLAIM.messageType]: 'LtiDeepLinkingResponse',
    [CLAIM.version]: '1.3.0',
    [CLAIM.contentItems]: items,
    ...(s.data !== undefined ? { [CLAIM.deepLinkData]: s.data } : {}),
    ...(msg ? { 'https://purl.imsglobal.org/spec/lti-dl/claim/msg': msg } : {}),
  };
  return jwt.sign(payload, await platform.platformPrivateKey(), { algorithm: 'RS256', keyid: await platform.platformKid() });
}
