/**
 * Maps LTI role URIs (context, institution and system roles, long and short forms) to the three
 * roles Wayfinder knows. The highest wins: an instructor who is also a learner is a teacher.
 */
export type AppRole = 'student' | 'teacher' | 'admin';

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';

/** The last segment of a role, e.g. `membership#Instructor` → `Instructor`. */
function roleName(uri: string): { scope: 'context' | 'institution' | 'system'; name: string } {
  const u = uri.trim();
  if (u.startsWith(LIS + 'system/person#')) return { scope: 'system', name: u.slice(u.indexOf('#') + 1) };
  if (u.startsWith(LIS + 'institution/person#')) return { scope: 'institution', name: u.slice(u.indexOf('#') + 1) };
  if (u.startsWith(LIS + 'membership')) {
    // `membership#Instructor` or a sub-role `membership/Instructor#TeachingAssistant`
    const sub = u.slice((LIS + 'membership').length);
    const m = /^\/(\w+)#/.exec(sub);
    return { scope: 'context', name: m ? m[1] : sub.replace(/^#/, '') };
  }
  return { scope: 'context', name: u };
}

const TEACHING = new Set(['Instructor', 'ContentDeveloper', 'TeachingAssistant', 'Mentor', 'Administrator']);
const ADMIN = new Set(['Administrator', 'SysAdmin', 'SysSupport']);

export function mapRoles(roles: readonly string[]): AppRole | undefined {
  let best: AppRole | undefined;
  const rank = { student: 1, teacher: 2, admin: 3 } as const;
  const consider = (r: AppRole) => {
    if (!best || rank[r] > rank[best]) best = r;
  };
  for (const raw of roles) {
    const { scope, name } = roleName(raw);
    if ((scope === 'system' || scope === 'institution') && ADMIN.has(name)) consider('admin');
    else if (scope === 'context' && TEACHING.has(name)) consider('teacher');
    else if (scope === 'context' && name === 'Learner') consider('student');
    else if (scope === 'institution' && (name === 'Instructor' || name === 'Faculty')) consider('teacher');
    else if (scope === 'institution' && (name === 'Student' || name === 'Learner')) consider('student');
  }
  return best;
}

/** Canvas's Student View user and other platform test users: no grades, no statistics. */
export function isTestUser(roles: readonly string[]): boolean {
  return roles.some((r) => r === 'http://purl.imsglobal.org/vocab/lti/system/person#TestUser');
}
