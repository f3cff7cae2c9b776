import type { Router } from 'express';
import { authorizeService } from './ags.js';
import { demoCourses, demoUsers, roleUris } from './demo.js';
import { resolveCourse, resolveRoles, resolveUser } from './id_token.js';
import { NRPS_SCOPE, type LmsState } from './state.js';
import type { LaunchOptions, LmsUser, Membership, RoleName } from './types.js';

/**
 * Course enrolments and the Names and Role Provisioning Service 2.0 over them. Demo courses start
 * with every demo person in their usual role; a launch enrols (or re-enrols) the person launching
 * with the launch's roles, as the LMS's enrolment is where those roles come from.
 */
const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';
const MEDIA = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';

function enrolments(state: LmsState, courseId: string): Map<string, Membership> {
  let course = state.memberships.get(courseId);
  if (!course) {
    course = new Map();
    if (demoCourses.some((c) => c.id === courseId))
      for (const user of demoUsers)
        course.set(user.sub, { user, roles: [...roleUris[user.defaultRole]], status: 'Active' });
    state.memberships.set(courseId, course);
  }
  return course;
}

export interface Enrolment {
  user: string | Partial<LmsUser>;
  role: RoleName | string[];
  status?: Membership['status'];
}

export function enrol(state: LmsState, courseId: string, e: Enrolment): Membership {
  const user = resolveUser(e.user);
  const roles = Array.isArray(e.role) ? e.role : [...roleUris[e.role]];
  const m: Membership = { user, roles, status: e.status ?? 'Active' };
  enrolments(state, courseId).set(user.sub, m);
  return m;
}

export const membershipOf = (state: LmsState, courseId: string, sub: string) =>
  enrolments(state, courseId).get(sub);
export const membersOf = (state: LmsState, courseId: string) => [...enrolments(state, courseId).values()];
export const isStudent = (m: Membership) => m.status === 'Active' && m.roles.includes(LEARNER);

function enrolFromLaunch(state: LmsState, o: LaunchOptions): void {
  if (o.claims) return; // hand-made claims: the test decides what the launch says, not the roster
  const user = resolveUser(o.user);
  enrol(state, resolveCourse(o.course).id, { user, role: resolveRoles(o, user) });
}

const memberJson = (m: Membership) => ({
  user_id: m.user.sub,
  name: m.user.name,
  given_name: m.user.given_name,
  family_name: m.user.family_name,
  email: m.user.email,
  roles: m.roles,
  status: m.status,
});

export function nrpsRoutes(router: Router, state: LmsState): void {
  state.launchListeners.push((o) => enrolFromLaunch(state, o));
  router.get('/mod/lti/services.php/CourseSection/:course/bindings/:deployment/memberships', (req, res) => {
    if (!authorizeService(state, req, res, [NRPS_SCOPE])) return;
    const courseId = req.params.course;
    const limit = Math.max(1, Math.min(1000, Number(req.query.limit) || state.nrpsPageSize));
    const page = Math.max(1, Number(req.query.page) || 1);
    const all = membersOf(state, courseId).sort((a, b) => a.user.sub.localeCompare(b.user.sub));
    const url = new URL(`${state.url}${req.path}`);
    if (all.length > page * limit) {
      url.searchParams.set('limit', String(limit));
      url.searchParams.set('page', String(page + 1));
      res.set('Link', `<${url.href}>; rel="next"`);
    }
    const course = demoCourses.find((c) => c.id === courseId) ?? {
      id: courseId,
      label: courseId,
      title: courseId,
    };
    res.type(MEDIA).send(
      JSON.stringify({
        id: `${state.url}${req.originalUrl}`,
        context: { id: course.id, label: course.label, title: course.title },
        members: all.slice((page - 1) * limit, page * limit).map(memberJson),
      }),
    );
  });
}
