import mongoose, { Schema } from 'mongoose';
import { log } from '../log.js';
import { mapRoles, type AppRole } from './roles.js';
import { grantedOf, platformMessage, ServiceError, serviceFetch } from './service_token.js';
import type { LaunchContext } from './session.js';

/**
 * The course roster through Names and Role Provisioning Services 2.0: every page of the
 * platform's `context_memberships_url` (following `Link: <…>; rel="next"`), cached per course and
 * refreshed when older than REFRESH_MS. For teachers' views only: no launch ever waits on it.
 */
export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
const MEDIA = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';
export const REFRESH_MS = 10 * 60_000;
/** A roster beyond this many pages is cut off (and says so) rather than fetched forever. */
const MAX_PAGES = 200;

export interface RosterMember {
  userId: string;
  name?: string;
  givenName?: string;
  familyName?: string;
  roles: string[];
  /** Wayfinder's role for these LTI roles, when it has one. */
  role?: AppRole;
  status: 'Active' | 'Inactive' | 'Deleted';
}

export interface Roster {
  tenantId: string;
  courseId: string;
  /** False when the platform offers no roster for this course (no NRPS claim seen, or refused). */
  available: boolean;
  members: RosterMember[];
  fetchedAt?: Date;
  /** The cached roster is served because a refresh failed; `error` says why. */
  stale?: boolean;
  error?: string;
  truncated?: boolean;
}

interface RosterDoc {
  _id: string;
  tenantId: string;
  courseId: string;
  issuer: string;
  clientId: string;
  url: string;
  members: RosterMember[];
  fetchedAt?: Date;
  truncated?: boolean;
}
const rosterSchema = new Schema<RosterDoc>(
  {
    _id: String,
    tenantId: String,
    courseId: String,
    issuer: String,
    clientId: String,
    url: String,
    members: Schema.Types.Mixed,
    fetchedAt: Date,
    truncated: Boolean,
  },
  { versionKey: false },
);
rosterSchema.index({ tenantId: 1 });
const RosterCache = mongoose.model<RosterDoc>('Roster', rosterSchema, 'wf_rosters');

export type RosterSource = Pick<LaunchContext, 'tenantId' | 'courseId'> &
  Partial<Pick<LaunchContext, 'issuer' | 'clientId' | 'nrps'>>;

const keyOf = (s: { tenantId: string; courseId: string }) => `${s.tenantId}/${s.courseId}`;

/** `<url>; rel="next"` from a Link header, if there is one. */
export function nextLink(header: string | null): string | undefined {
  for (const part of (header ?? '').split(/,(?=\s*<)/)) {
    const m = /<([^>]+)>\s*;(.*)/.exec(part.trim());
    if (m && /rel="?([^";]*\s)?next(\s[^";]*)?"?/i.test(m[2])) return m[1];
  }
  return undefined;
}

interface MemberJson {
  user_id?: unknown;
  name?: unknown;
  given_name?: unknown;
  family_name?: unknown;
  roles?: unknown;
  status?: unknown;
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

function toMember(m: MemberJson): RosterMember | undefined {
  const userId = str(m.user_id);
  if (!userId) return undefined;
  const roles = Array.isArray(m.roles) ? m.roles.filter((r): r is string => typeof r === 'string') : [];
  const status = m.status === 'Inactive' || m.status === 'Deleted' ? m.status : 'Active';
  const role = mapRoles(roles);
  return {
    userId,
    ...(str(m.name) ? { name: str(m.name) } : {}),
    ...(str(m.given_name) ? { givenName: str(m.given_name) } : {}),
    ...(str(m.family_name) ? { familyName: str(m.family_name) } : {}),
    roles,
    ...(role ? { role } : {}),
    status,
  };
}

async function fetchRoster(doc: RosterDoc): Promise<{ members: RosterMember[]; truncated: boolean }> {
  const platform = { issuer: doc.issuer, clientId: doc.clientId };
  const scopes = await grantedOf(platform, [NRPS_SCOPE]);
  if (!scopes.length) throw new ServiceError('the LMS did not grant Wayfinder the roster (NRPS) scope', 403);
  const byUser = new Map<string, RosterMember>();
  let url: string | undefined = doc.url;
  for (let page = 0; url; page++) {
    if (page >= MAX_PAGES) return { members: [...byUser.values()], truncated: true };
    const res = await serviceFetch(platform, scopes, url, { accept: MEDIA });
    if (!res.ok)
      throw new ServiceError(`the LMS refused the roster: ${await platformMessage(res)}`, res.status);
    const body = (await res.json()) as { members?: MemberJson[] };
    for (const m of body.members ?? []) {
      const member = toMember(m);
      if (member) byUser.set(member.userId, member);
    }
    url = nextLink(res.headers.get('link'));
  }
  return { members: [...byUser.values()], truncated: false };
}

const inFlight = new Map<string, Promise<RosterDoc>>();

async function refresh(doc: RosterDoc): Promise<RosterDoc> {
  const running = inFlight.get(doc._id);
  if (running) return running;
  const job = fetchRoster(doc)
    .then(async ({ members, truncated }) => {
      const fresh = { ...doc, members, truncated, fetchedAt: new Date() };
      await RosterCache.replaceOne({ _id: doc._id }, fresh, { upsert: true });
      return fresh;
    })
    .finally(() => inFlight.delete(doc._id));
  inFlight.set(doc._id, job);
  return job;
}

const view = (doc: RosterDoc, extra: Partial<Roster> = {}): Roster => ({
  tenantId: doc.tenantId,
  courseId: doc.courseId,
  available: true,
  members: doc.members,
  ...(doc.fetchedAt ? { fetchedAt: doc.fetchedAt } : {}),
  ...(doc.truncated ? { truncated: true } : {}),
  ...extra,
});

/**
 * The roster of the launch's course (or of a course whose roster URL a launch already showed).
 * Served from the cache while fresh; `refresh` forces a fetch. A failed fetch serves the cached
 * roster marked stale, or an unavailable roster with the reason: it never throws for the LMS's sake.
 */
export async function courseRoster(source: RosterSource, o: { refresh?: boolean } = {}): Promise<Roster> {
  const scope = { tenantId: source.tenantId, courseId: source.courseId };
  if (!scope.tenantId || !scope.courseId) throw new Error('courseRoster needs tenantId and courseId');
  const key = keyOf(scope);
  let doc = await RosterCache.findById(key).lean<RosterDoc>();
  const url = source.nrps?.context_memberships_url;
  if (url && source.issuer && source.clientId && doc?.url !== url) {
    doc = {
      _id: key,
      ...scope,
      issuer: source.issuer,
      clientId: source.clientId,
      url,
      members: doc?.members ?? [],
    };
  }
  if (!doc)
    return { ...scope, available: false, members: [], error: 'the LMS offers no roster for this course' };
  if (!o.refresh && doc.fetchedAt && Date.now() - new Date(doc.fetchedAt).getTime() < REFRESH_MS)
    return view(doc);
  try {
    return view(await refresh(doc));
  } catch (err) {
    const error = (err as Error).message;
    log.warn({ course: key, err: error }, 'nrps: roster refresh failed');
    return doc.fetchedAt
      ? view(doc, { stale: true, error })
      : { ...scope, available: false, members: [], error };
  }
}

/** Erasure: cached rosters of a tenant are dropped (they are fetched again when needed). */
export async function forgetRosters(tenantId: string): Promise<void> {
  await RosterCache.deleteMany({ tenantId });
}
