/** A course within a tenant: the scope every activity query runs in. */
export interface CourseScope {
  tenantId: string;
  courseId: string;
}

/** No query runs without its scope (DESIGN.md, tenancy): a missing id is a programming error. */
export function requireScope(scope: Partial<CourseScope> | undefined): CourseScope {
  if (!scope?.tenantId || !scope.courseId) {
    throw new Error('activity queries need both tenantId and courseId; refusing to run unscoped');
  }
  return { tenantId: scope.tenantId, courseId: scope.courseId };
}

/** Preview statements are left out unless asked for. */
export const previewFilter = (includePreview?: boolean) => (includePreview ? {} : { preview: false });
