/**
 * The one catalogue of error codes Wayfinder answers with. `/api` routes reply
 * `{ error: { code, message } }`; pages render the message. Every code has one status.
 */
export const errorCodes = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  SESSION_EXPIRED: 401,
  FORBIDDEN: 403,
  ACTOR_MISMATCH: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  LAUNCH_INVALID: 400,
  LAUNCH_UNAUTHORIZED: 401,
  PLATFORM_UNKNOWN: 400,
  PLATFORM_INACTIVE: 403,
  DEPLOYMENT_UNKNOWN: 403,
  REGISTRATION_FAILED: 502,
  DATABASE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra machine-readable detail, e.g. the failing field of each batch entry. */
    readonly details?: unknown,
  ) {
    super(message);
    this.status = errorCodes[code];
  }
}

/** Turns a zod error into one readable message naming every failing field. */
export function describeIssues(issues: { path: (string | number)[]; message: string }[]): string {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`).join('; ');
}
