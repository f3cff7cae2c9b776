import express, { type Request, type Response, type Router } from 'express';
import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { log } from '../log.js';
import { JwtCheckError, verifyToolJwt } from './keys.js';
import { render } from './render.js';
import type { LmsState } from './state.js';
import type { StoredResourceLink } from './types.js';

const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim';
const LTI = 'https://purl.imsglobal.org/spec/lti/claim';

const lineItemSchema = z
  .object({
    scoreMaximum: z.number().positive(),
    label: z.string().optional(),
    resourceId: z.string().optional(),
    tag: z.string().optional(),
  })
  .passthrough();

const resourceLinkSchema = z
  .object({
    type: z.literal('ltiResourceLink'),
    title: z.string().optional(),
    text: z.string().optional(),
    url: z.string().url().optional(),
    custom: z.record(z.string()).optional(),
    lineItem: lineItemSchema.optional(),
  })
  .passthrough();

class Refusal extends Error {}

/** Checks a deep linking response and turns its resource links into launchable links and columns. */
export async function acceptDeepLinkResponse(
  state: LmsState,
  token: string,
): Promise<{
  links: StoredResourceLink[];
  msg?: string;
  errormsg?: string;
  courseId: string;
}> {
  const unverified = jwt.decode(token);
  const iss = unverified && typeof unverified === 'object' ? unverified.iss : undefined;
  const tool = iss ? state.tool(iss) : undefined;
  if (!tool) throw new Refusal('The response is not from a registered tool (iss must be its client id).');
  let c: jwt.JwtPayload;
  try {
    c = await verifyToolJwt(token, tool.jwksUrl, { issuer: tool.clientId, audience: state.issuer });
  } catch (err) {
    throw new Refusal(err instanceof JwtCheckError ? err.message : 'The response could not be verified.');
  }
  if (c[`${LTI}/message_type`] !== 'LtiDeepLinkingResponse')
    throw new Refusal('message_type must be LtiDeepLinkingResponse.');
  if (c[`${LTI}/version`] !== '1.3.0') throw new Refusal('version must be 1.3.0.');
  if (c[`${LTI}/deployment_id`] !== tool.deploymentId)
    throw new Refusal(`deployment_id must be "${tool.deploymentId}".`);
  if (typeof c.nonce !== 'string' || !c.nonce) throw new Refusal('nonce is missing.');
  const data = c[`${DL}/data`];
  const pending = typeof data === 'string' ? state.pendingDeepLinks.get(data) : undefined;
  // `data` must come back exactly as sent: it is how the LMS knows which request this answers.
  if (!pending || pending.clientId !== tool.clientId || pending.expires < Date.now())
    throw new Refusal('data is missing or does not match a deep linking request from this LMS.');
  const items: unknown = c[`${DL}/content_items`] ?? [];
  if (!Array.isArray(items)) throw new Refusal('content_items must be an array.');
  if (items.length > 1 && !pending.acceptMultiple) throw new Refusal('Only one content item was accepted.');

  const links: StoredResourceLink[] = [];
  for (const [i, item] of items.entries()) {
    const type = (item as { type?: unknown })?.type;
    if (typeof type !== 'string' || !pending.acceptTypes.includes(type))
      throw new Refusal(`content_items[${i}]: type ${String(type)} was not accepted.`);
    const parsed = resourceLinkSchema.safeParse(item);
    if (!parsed.success)
      throw new Refusal(
        `content_items[${i}]: ${parsed.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`,
      );
    const it = parsed.data;
    const id = `dl-${randomUUID()}`;
    links.push({
      id,
      clientId: tool.clientId,
      courseId: pending.courseId,
      title: it.title ?? tool.name,
      text: it.text,
      url: it.url,
      custom: it.custom,
      // Like Moodle: a gradebook column only when the item asks for one.
      lineItem: it.lineItem && {
        id: `col-${randomUUID()}`,
        label: it.lineItem.label ?? it.title ?? tool.name,
        scoreMaximum: it.lineItem.scoreMaximum,
        resourceId: it.lineItem.resourceId,
        tag: it.lineItem.tag,
      },
      createdAt: new Date().toISOString(),
    });
  }
  state.pendingDeepLinks.delete(data as string);
  state.resourceLinks.push(...links);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { links, msg: str(c[`${DL}/msg`]), errormsg: str(c[`${DL}/errormsg`]), courseId: pending.courseId };
}

export function deepLinkReturnRoutes(router: Router, state: LmsState): void {
  router.post(
    '/deep-link-return',
    express.urlencoded({ extended: false, limit: '200kb' }),
    async (req: Request, res: Response) => {
      const wantsJson = req.accepts(['html', 'json']) === 'json';
      const token = (req.body as Record<string, unknown>)?.JWT;
      try {
        if (typeof token !== 'string' || !token) throw new Refusal('The form field JWT is missing.');
        const out = await acceptDeepLinkResponse(state, token);
        log.info({ links: out.links.length, course: out.courseId }, 'devlms: deep linking response accepted');
        if (wantsJson) return res.json(out);
        render(res, 'deep_link_return', { title: 'Content added', ...out });
      } catch (err) {
        if (!(err instanceof Refusal)) throw err;
        log.info({ why: err.message }, 'devlms: deep linking response refused');
        if (wantsJson)
          return res.status(400).json({ error: 'invalid_deep_linking_response', message: err.message });
        render(res, 'error', { title: 'Deep linking response refused', message: err.message }, 400);
      }
    },
  );
}
