import type { ZodType, ZodTypeDef } from 'zod';
import { AppError, describeIssues } from './errors.js';

/** Parses input with a zod schema or throws a 400 naming every failing field. */
export function parse<T>(schema: ZodType<T, ZodTypeDef, unknown>, input: unknown, what = 'request body'): T {
  const r = schema.safeParse(input);
  if (!r.success) {
    throw new AppError('VALIDATION_FAILED', `invalid ${what}: ${describeIssues(r.error.issues)}`, r.error.issues);
  }
  return r.data;
}
