import type { LaunchContext } from '../lti/session.js';

export const courseScope = (launch: LaunchContext) => ({ tenantId: launch.tenantId, courseId: launch.courseId });
