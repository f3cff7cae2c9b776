import type { StoredStatement } from './model.js';
import { verbIri } from './verbs.js';

const ADL_ACTIVITY = 'http://adlnet.gov/expapi/activities';
const activityType = { item: `${ADL_ACTIVITY}/question`, pathway: `${ADL_ACTIVITY}/module`, skill: `${ADL_ACTIVITY}/objective` } as const;

/** xAPI requires extension keys to be IRIs; producers may use plain keys, which get Wayfinder's namespace. */
export const extensionIri = (publicUrl: string, key: string) => (/^[a-z][a-z0-9+.-]*:/i.test(key) ? key : `${publicUrl}/xapi/extensions/${key}`);

export const activityIri = (publicUrl: string, s: Pick<StoredStatement, 'object'>) =>
  `${publicUrl}/xapi/activities/${s.object.kind}/${encodeURIComponent(s.object.id)}`;

function iriKeys(publicUrl: string, ext: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return ext && Object.fromEntries(Object.entries(ext).map(([k, v]) => [extensionIri(publicUrl, k), v]));
}

/** A stored statement as a valid xAPI 1.0.3 statement a learning record store accepts. */
export function toXapi(s: StoredStatement, publicUrl: string): Record<string, unknown> {
  const ext = (key: string) => extensionIri(publicUrl, key);
  const wayfinderContext: Record<string, unknown> = {
    [ext('tenant')]: s.tenantId,
    [ext('course')]: s.courseId,
    [ext('launch')]: s.context.launchId,
    [ext('preview')]: s.preview,
    ...(s.context.resourceLinkId ? { [ext('resource-link')]: s.context.resourceLinkId } : {}),
    ...(s.context.recommendationId ? { [ext('recommendation')]: s.context.recommendationId } : {}),
    ...iriKeys(publicUrl, s.context.extensions),
  };
  return {
    id: s._id,
    actor: { objectType: 'Agent', account: { homePage: s.issuer, name: s.sub } },
    verb: { id: verbIri(s.verb, publicUrl), display: { 'en-US': s.verb } },
    object: { objectType: 'Activity', id: activityIri(publicUrl, s), definition: { type: activityType[s.object.kind] } },
    ...(s.result ? { result: { ...s.result, ...(s.result.extensions ? { extensions: iriKeys(publicUrl, s.result.extensions) } : {}) } } : {}),
    context: {
      platform: 'Wayfinder',
      contextActivities: {
        grouping: [{ objectType: 'Activity', id: `${publicUrl}/xapi/courses/${s.courseId}`, definition: { type: `${ADL_ACTIVITY}/course` } }],
      },
      extensions: wayfinderContext,
    },
    timestamp: s.timestamp.toISOString(),
    stored: s.stored.toISOString(),
    version: '1.0.3',
  };
}
