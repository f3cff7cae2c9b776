import type { KeyObject } from 'node:crypto';
import { demoCourses, demoUsers, roleUris } from './demo.js';
import { signJwt, type JwtAlg } from './keys.js';
import { AGS_SCOPES, NRPS_SCOPE, type LmsState } from './state.js';
import type { LaunchOptions, LmsCourse, LmsUser, StoredResourceLink, ToolRecord } from './types.js';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim';
export const CLAIM = {
  messageType: `${LTI}/message_type`,
  version: `${LTI}/version`,
  deploymentId: `${LTI}/deployment_id`,
  targetLinkUri: `${LTI}/target_link_uri`,
  resourceLink: `${LTI}/resource_link`,
  roles: `${LTI}/roles`,
  context: `${LTI}/context`,
  toolPlatform: `${LTI}/tool_platform`,
  launchPresentation: `${LTI}/launch_presentation`,
  custom: `${LTI}/custom`,
  lis: `${LTI}/lis`,
  ext: `${LTI}/ext`,
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
} as const;

export function resolveUser(u: LaunchOptions['user']): LmsUser {
  if (typeof u === 'string') {
    const found = demoUsers.find((d) => d.sub === u || d.username === u);
    if (!found) throw new Error(`no demo user ${u}`);
    return found;
  }
  return { ...demoUsers[0], ...u };
}

export function resolveCourse(c: LaunchOptions['course']): LmsCourse {
  if (typeof c === 'string') {
    const found = demoCourses.find((d) => d.id === c || d.label === c);
    if (!found) throw new Error(`no demo course ${c}`);
    return found;
  }
  return { ...demoCourses[0], ...c };
}

export function resolveRoles(o: LaunchOptions, user: LmsUser): string[] {
  if (Array.isArray(o.role)) return o.role;
  return [...roleUris[o.role ?? user.defaultRole]];
}

/** Moodle-shaped service URLs: they carry a query string, which tools must keep when adding `/scores`. */
export function agsUrls(state: LmsState, courseId: string, deploymentId: string, columnId?: string) {
  const base = `${state.url}/mod/lti/services.php/${encodeURIComponent(courseId)}/lineitems`;
  return {
    lineitems: `${base}?type_id=${deploymentId}`,
    lineitem: columnId
      ? `${base}/${encodeURIComponent(columnId)}/lineitem?type_id=${deploymentId}`
      : undefined,
  };
}

/** The column a default (not deep-linked) resource link grades into, as if created by hand. */
export const defaultColumnId = (courseId: string) => `default-${courseId}`;

export function findStoredLink(
  state: LmsState,
  clientId: string,
  id: string,
): StoredResourceLink | undefined {
  return state.resourceLinks.find((l) => l.id === id && l.clientId === clientId);
}

export function toolFor(state: LmsState, clientId?: string): ToolRecord {
  const tool = state.tool(clientId);
  if (!tool) throw new Error(`the dev LMS knows no tool with client id ${clientId ?? state.defaultClientId}`);
  return tool;
}

/** Where the launch lands: the option, a deep-linked item's url, or the tool's launch URL. */
export function targetLinkFor(state: LmsState, o: LaunchOptions): string {
  if (o.targetLinkUri) return o.targetLinkUri;
  const tool = toolFor(state, o.clientId);
  if (o.messageType === 'LtiDeepLinkingRequest') return tool.deepLinkingUrl ?? tool.launchUrl;
  const stored = o.resourceLink ? findStoredLink(state, tool.clientId, o.resourceLink.id) : undefined;
  return stored?.url ?? tool.launchUrl;
}

/** The id_token claims a launch with these options sends, before signing. */
export function claimsFor(state: LmsState, o: LaunchOptions, nonce: string): Record<string, unknown> {
  const tool = toolFor(state, o.clientId);
  const user = resolveUser(o.user);
  const course = resolveCourse(o.course);
  const messageType = o.messageType ?? 'LtiResourceLinkRequest';
  const deploymentId = o.deploymentId ?? tool.deploymentId;
  const deepLinking = messageType === 'LtiDeepLinkingRequest';
  const link = o.resourceLink ?? { id: `wayfinder-${course.id}`, title: tool.name };
  const stored = deepLinking ? undefined : findStoredLink(state, tool.clientId, link.id);
  const now = Math.floor(Date.now() / 1000);
  const locale = o.launchPresentation?.locale ?? o.locale ?? user.locale;

  const claims: Record<string, unknown> = {
    iss: state.issuer,
    aud: tool.clientId,
    azp: tool.clientId,
    sub: user.sub,
    exp: now + 5 * 60,
    iat: now,
    nonce,
    name: user.name,
    given_name: user.given_name,
    family_name: user.family_name,
    email: user.email,
    locale,
    [CLAIM.deploymentId]: deploymentId,
    [CLAIM.messageType]: messageType,
    [CLAIM.version]: '1.3.0',
    [CLAIM.targetLinkUri]: targetLinkFor(state, o),
    [CLAIM.roles]: resolveRoles(o, user),
    [CLAIM.context]: { id: course.id, label: course.label, title: course.title, type: course.type },
    [CLAIM.toolPlatform]: {
      guid: new URL(state.issuer).host,
      name: 'Wayfinder dev LMS',
      description: 'A small LTI 1.3 platform for development and tests',
      product_family_code: state.profile,
      version: '2023100900',
    },
    [CLAIM.launchPresentation]: {
      locale,
      document_target: o.launchPresentation?.document_target ?? (o.frame === 'window' ? 'window' : 'iframe'),
      return_url:
        o.launchPresentation?.return_url ??
        `${state.url}/dev/lms/return?course=${encodeURIComponent(course.id)}`,
    },
    [CLAIM.lis]: { person_sourcedid: '', course_section_sourcedid: '' },
    [CLAIM.ext]: { user_username: user.username, lms: 'moodle-2' },
  };

  if (!deepLinking) {
    claims[CLAIM.resourceLink] = {
      id: link.id,
      title: link.title ?? stored?.title ?? tool.name,
      ...(link.description ? { description: link.description } : {}),
    };
  }
  const custom = { ...tool.custom, ...stored?.custom, ...o.custom };
  if (Object.keys(custom).length) claims[CLAIM.custom] = custom;

  const agsScopes = tool.scopes.filter((s) => AGS_SCOPES.includes(s));
  if (o.ags !== false && agsScopes.length) {
    const columnId = deepLinking ? undefined : (stored?.lineItem?.id ?? defaultColumnId(course.id));
    const urls = agsUrls(state, course.id, deploymentId, columnId);
    const lineitem = o.ags?.lineitem === null ? undefined : (o.ags?.lineitem ?? urls.lineitem);
    claims[CLAIM.ags] = {
      scope: o.ags?.scope ?? agsScopes,
      lineitems: o.ags?.lineitems ?? urls.lineitems,
      ...(lineitem ? { lineitem } : {}),
    };
  }
  if (o.nrps !== false && tool.scopes.includes(NRPS_SCOPE)) {
    claims[CLAIM.nrps] = {
      context_memberships_url:
        o.nrps?.context_memberships_url ??
        `${state.url}/mod/lti/services.php/CourseSection/${encodeURIComponent(course.id)}/bindings/${deploymentId}/memberships`,
      service_versions: o.nrps?.service_versions ?? ['1.0', '2.0'],
    };
  }
  if (deepLinking) {
    const acceptTypes = o.deepLinking?.accept_types ?? ['ltiResourceLink'];
    const acceptMultiple = o.deepLinking?.accept_multiple ?? true;
    // `data` names the pending request so the return can be tied to course, user and tool.
    const data =
      o.deepLinking?.data ??
      state.rememberDeepLink({
        clientId: tool.clientId,
        courseId: course.id,
        userSub: user.sub,
        acceptTypes,
        acceptMultiple,
      });
    claims[CLAIM.deepLinkingSettings] = {
      deep_link_return_url: state.deepLinkReturnUrl,
      accept_types: acceptTypes,
      accept_presentation_document_targets: ['iframe', 'window', 'frame'],
      accept_multiple: acceptMultiple,
      accept_lineitem: true,
      auto_create: false,
      title: course.title,
      text: '',
      ...o.deepLinking,
      data,
    };
  }
  for (const [k, v] of Object.entries(o.claims ?? {})) {
    if (v === undefined) delete claims[k];
    else claims[k] = v;
  }
  return claims;
}

export interface SignOptions {
  kid?: string;
  alg?: JwtAlg;
  /** RS256: a private key (KeyObject or PEM). HS256: the secret; default the LMS's public key PEM (alg confusion). */
  key?: KeyObject | string | Buffer;
  /** Top-level claims to delete before signing. */
  omit?: string[];
  /** Extra JOSE header fields (e.g. `jku`). */
  header?: Record<string, unknown>;
}

/** Signs exactly the given claims (minus `omit`); RS256 with the LMS's current key by default. */
export function signIdToken(state: LmsState, claims: Record<string, unknown>, o: SignOptions = {}): string {
  const payload = { ...claims };
  for (const k of o.omit ?? []) delete payload[k];
  const alg = o.alg ?? 'RS256';
  const current = state.keys.current;
  const key =
    o.key ??
    (alg === 'RS256'
      ? current.privateKey
      : alg === 'HS256'
        ? (current.publicKey.export({ type: 'spki', format: 'pem' }) as string)
        : undefined);
  // The LMS's kid unless the caller brought its own key: an HS256 token keyed with our public key
  // and carrying our kid is the classic algorithm-confusion attack.
  const kid = o.kid ?? (o.key ? undefined : current.kid);
  return signJwt(payload, { alg, key, header: { ...(kid ? { kid } : {}), ...o.header } });
}
