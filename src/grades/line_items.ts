import { log } from '../log.js';
import {
  grantedOf,
  platformMessage,
  retryAfterMs,
  ServiceError,
  serviceFetch,
  type ServiceRequest,
} from '../lti/service_token.js';
import { GradeLink, type Delivery } from './model.js';

/**
 * Which AGS line item (gradebook column) a delivery goes to: the one the LMS created from deep
 * linking and named in the launch's `lineitem` claim; otherwise one found by resource link id,
 * resource id or tag; otherwise one created, only where the `lineitem` scope was granted. Its
 * label and maximum are kept in sync with the content.
 */
const AGS = 'https://purl.imsglobal.org/spec/lti-ags/scope/';
export const SCOPE = {
  lineItem: `${AGS}lineitem`,
  lineItemRead: `${AGS}lineitem.readonly`,
  result: `${AGS}result.readonly`,
  score: `${AGS}score`,
} as const;
const MEDIA = {
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItems: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
};

/** No column to send to, and no way to get one: a permanent failure the teacher must see. */
export class NoLineItem extends Error {}

interface LineItemJson {
  id: string;
  label?: string;
  scoreMaximum?: number;
  resourceLinkId?: string;
  resourceId?: string;
  tag?: string;
}

/** Scopes a delivery may use: in its launch's AGS claim and granted to the tool by the platform. */
export const scopesFor = (d: Delivery) =>
  grantedOf(
    d,
    d.link.scopes.filter((s) => (Object.values(SCOPE) as string[]).includes(s)),
  );

/** `…/lineitem?type_id=1` → `…/lineitem/scores?type_id=1`: the path grows, the query string stays. */
export function serviceUrl(
  lineItemUrl: string,
  suffix: 'scores' | 'results',
  params: Record<string, string> = {},
): string {
  const u = new URL(lineItemUrl);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${suffix}`;
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.href;
}

/** An AGS call that must succeed (any 2xx); any other answer becomes a ServiceError with the LMS's words. */
async function agsFetch(d: Delivery, scopes: string[], url: string, r: ServiceRequest): Promise<Response> {
  const res = await serviceFetch(d, scopes, url, r);
  if (!res.ok) throw new ServiceError(await platformMessage(res), res.status, retryAfterMs(res));
  return res;
}

/** An AGS call whose answer is read: a 2xx with a JSON body (an empty one is an LMS fault, retried). */
export async function agsJson<T>(
  d: Delivery,
  scopes: string[],
  url: string,
  r: ServiceRequest = {},
): Promise<T> {
  const res = await agsFetch(d, scopes, url, r);
  const text = await res.text();
  if (!text.trim()) throw new ServiceError(`${res.status}: an empty answer where the AGS returns JSON`, 502);
  return JSON.parse(text) as T;
}

/**
 * An AGS call whose answer carries nothing the tool needs: 200, 201 or 204, with or without a
 * body (Moodle answers an accepted score with 200 and an empty body; Canvas with JSON).
 */
export async function agsSend(d: Delivery, scopes: string[], url: string, r: ServiceRequest): Promise<void> {
  await (await agsFetch(d, scopes, url, r)).arrayBuffer();
}

const linkKey = (d: Delivery) => `${d.tenantId}/${d.courseId}/${d.link.resourceLinkId}`;

/** The link records this process read or wrote lately: every score needs one, and they rarely change. */
const MEMO_MS = 30_000;
const memo = new Map<string, { at: number; link: GradeLink | null }>();
async function readLink(key: string): Promise<GradeLink | null> {
  const hit = memo.get(key);
  if (hit && Date.now() - hit.at < MEMO_MS) return hit.link;
  const link = await GradeLink.findById(key).lean<GradeLink>();
  if (memo.size > 10_000) memo.clear();
  memo.set(key, { at: Date.now(), link });
  return link;
}

async function findOrCreate(d: Delivery, scopes: string[]): Promise<LineItemJson> {
  const list = d.link.lineItemsUrl;
  if (!list)
    throw new NoLineItem('the LMS sent no gradebook column and no line items service for this activity');
  if (scopes.includes(SCOPE.lineItem) || scopes.includes(SCOPE.lineItemRead)) {
    const searches: [string, string | undefined, keyof LineItemJson][] = [
      ['resource_link_id', d.link.resourceLinkId, 'resourceLinkId'],
      ['resource_id', d.link.resourceId, 'resourceId'],
      ['tag', d.link.tag, 'tag'],
    ];
    for (const [param, value, field] of searches) {
      if (!value) continue;
      const u = new URL(list);
      u.searchParams.set(param, value);
      const items = await agsJson<LineItemJson[]>(d, scopes, u.href, { accept: MEDIA.lineItems });
      // A column found by resource id or tag must not belong to another link of the course.
      const hit = items.find(
        (i) => i[field] === value && (!i.resourceLinkId || i.resourceLinkId === d.link.resourceLinkId),
      );
      if (hit) return hit;
    }
  }
  if (!scopes.includes(SCOPE.lineItem))
    throw new NoLineItem(
      'the LMS has no gradebook column for this activity and did not grant Wayfinder the scope to create one',
    );
  return agsJson<LineItemJson>(d, scopes, list, {
    method: 'POST',
    contentType: MEDIA.lineItem,
    body: {
      label: d.link.label,
      scoreMaximum: d.score.maximum,
      resourceLinkId: d.link.resourceLinkId,
      ...(d.link.resourceId ? { resourceId: d.link.resourceId } : {}),
      ...(d.link.tag ? { tag: d.link.tag } : {}),
    },
  });
}

/** Label and maximum as the content has them; changed in the LMS only with the `lineitem` scope. */
async function sync(d: Delivery, scopes: string[], url: string, known?: LineItemJson): Promise<boolean> {
  if (!scopes.includes(SCOPE.lineItem)) return true;
  const item = known ?? (await agsJson<LineItemJson>(d, scopes, url, { accept: MEDIA.lineItem }));
  if (item.label === d.link.label && item.scoreMaximum === d.score.maximum) return true;
  await agsSend(d, scopes, url, {
    method: 'PUT',
    contentType: MEDIA.lineItem,
    accept: MEDIA.lineItem,
    body: { ...item, id: url, label: d.link.label, scoreMaximum: d.score.maximum },
  });
  return true;
}

/**
 * The line item URL for a delivery. `gone` is a URL that just answered 404: it is remembered, and
 * the column is looked up (or created) again.
 */
export async function lineItemFor(d: Delivery, scopes: string[], gone?: string): Promise<string> {
  const key = linkKey(d);
  const link = await readLink(key);
  const goneUrls = [...new Set([...(link?.goneUrls ?? []), ...(gone ? [gone] : [])])];
  const usable = (u?: string) => (u && !goneUrls.includes(u) ? u : undefined);
  let url = usable(d.link.lineItemUrl) ?? usable(link?.lineItemUrl);
  let found: LineItemJson | undefined;
  if (!url) {
    found = await findOrCreate(d, scopes);
    url = found.id;
  }
  const wanted = { label: d.link.label, scoreMaximum: d.score.maximum };
  const inSync =
    link?.lineItemUrl === url &&
    link.synced?.label === wanted.label &&
    link.synced.scoreMaximum === wanted.scoreMaximum;
  let synced = inSync ? link?.synced : undefined;
  if (!inSync) {
    try {
      if (await sync(d, scopes, url, found)) synced = wanted;
    } catch (err) {
      // The column named in the claim or cache is gone: find (or create) it again, once.
      if (err instanceof ServiceError && err.status === 404) {
        if (url !== gone) return lineItemFor(d, scopes, url);
        throw err;
      }
      log.warn(
        { err: (err as Error).message, link: key },
        'grades: could not sync the line item label and maximum',
      );
    }
  }
  if (!inSync || gone) {
    const fields = {
      tenantId: d.tenantId,
      courseId: d.courseId,
      resourceLinkId: d.link.resourceLinkId,
      lineItemUrl: url,
      goneUrls,
      ...(synced ? { synced } : {}),
      updatedAt: new Date(),
    };
    await GradeLink.updateOne({ _id: key }, { $set: fields }, { upsert: true });
    memo.set(key, { at: Date.now(), link: { _id: key, ...link, ...fields } });
  }
  return url;
}
