import { randomUUID } from 'node:crypto';
import { AGS_SCOPES } from '../../src/devlms/index.js';
import { deliveries } from '../../src/grades/model.js';
import { courseGrades, type GradeChange } from '../../src/grades/index.js';
import { courseId, tenantId } from '../../src/lti/tenancy.js';
import { seedDemoContent } from '../../src/content/demo.js';
import { startToolAndLms, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID, type ToolAndLms } from '../support/lti.js';

/** Shared by the grades test files: grade changes for the test LMS, and waiting for the outbox. */
export const COURSE = '2';

/** The tool and the test LMS with the demo content, and a grade worker that polls fast. */
export async function startGradedDemo(label: string): Promise<ToolAndLms> {
  const env = await startToolAndLms({ LABEL: label });
  env.tool.grades.options.pollMs = 50;
  env.tool.grades.options.retryBaseMs = 20;
  await seedDemoContent(tenantId(env.lms.issuer, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID));
  return env;
}

export function scopeOf(env: ToolAndLms, course = COURSE) {
  const tenant = tenantId(env.lms.issuer, TEST_CLIENT_ID, TEST_DEPLOYMENT_ID);
  return { tenantId: tenant, courseId: courseId(tenant, course) };
}

/** The default column of the course, as the LMS's launch claim names it. */
export const defaultLineItem = (env: ToolAndLms, course = COURSE) =>
  `${env.lms.url}/mod/lti/services.php/${course}/lineitems/default-${course}/lineitem?type_id=${TEST_DEPLOYMENT_ID}`;

/** A learner the LMS knows as a student of the course, with a fresh id. */
export function newStudent(env: ToolAndLms, course = COURSE, prefix = 'learner'): string {
  const sub = `${prefix}-${randomUUID().slice(0, 8)}`;
  env.lms.enrol(course, { user: { sub, name: `Learner ${sub}` }, role: 'student' });
  return sub;
}

export function change(
  env: ToolAndLms,
  sub: string,
  given: number,
  o: Partial<GradeChange> = {},
): GradeChange {
  return {
    ...scopeOf(env),
    issuer: env.lms.issuer,
    clientId: TEST_CLIENT_ID,
    sub,
    name: `Learner ${sub}`,
    link: {
      resourceLinkId: `wayfinder-${COURSE}`,
      label: 'Wayfinder',
      lineItemUrl: defaultLineItem(env),
      lineItemsUrl: `${env.lms.url}/mod/lti/services.php/${COURSE}/lineitems?type_id=${TEST_DEPLOYMENT_ID}`,
      scopes: AGS_SCOPES,
    },
    score: { given, maximum: 100, activityProgress: 'Completed', gradingProgress: 'FullyGraded' },
    ...o,
  };
}

/** Polls until `check` returns something truthy; fails with `what` after a generous limit. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  limitMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The learner's live outbox documents (pending or failed). */
export const outboxOf = (sub: string) => deliveries().find({ sub }).sort({ eventAt: 1 }).toArray();

/** What the teacher sees of a learner's grade in one column (default: the course's default link). */
export async function gradeOf(env: ToolAndLms, sub: string, resourceLinkId = `wayfinder-${COURSE}`) {
  return (await courseGrades(scopeOf(env), sub)).find((g) => g.resourceLinkId === resourceLinkId);
}

/** The learner's grade once nothing of it is pending any more. */
export const settled = (env: ToolAndLms, sub: string, resourceLinkId?: string) =>
  until(`the grade of ${sub} to settle`, async () => {
    if ((await outboxOf(sub)).some((d) => d.state === 'pending')) return undefined;
    return gradeOf(env, sub, resourceLinkId);
  });

export const receivedFor = (env: ToolAndLms, sub: string) =>
  env.lms.gradebook().received.filter((r) => r.score.userId === sub);
