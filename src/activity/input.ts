import { z } from 'zod';
import { AppError, describeIssues } from '../web/errors.js';
import { parse } from '../web/validate.js';
import type { ObjectKind, StatementResult } from './model.js';
import { LEARNER_VERBS, VERBS, type Verb } from './verbs.js';

/** What a producer sends: the actor, tenant, course and launch come from the session, never from here. */
export interface StatementInput {
  id?: string;
  verb: Verb;
  object: { id: string; kind: ObjectKind };
  result?: StatementResult;
  context?: { recommendationId?: string; extensions?: Record<string, unknown> };
  timestamp?: string;
}

export const MAX_BATCH = 500;
/** Clocks drift; a statement from further ahead than this is a client bug, not skew. */
export const MAX_FUTURE_MS = 5 * 60 * 1000;

// ISO 8601 duration as xAPI uses it, e.g. PT1M30S or P1DT2H; at least one part after P (and after T).
const DURATION = /^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$/;
// ISO 8601 date-time with an explicit offset, so the instant is unambiguous.
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/;

const text = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** Deeper than this is not an extension value but an attempt to make the database or a reader work. */
export const MAX_EXTENSION_DEPTH = 8;

/**
 * Field names the database refuses (a `.` anywhere, a leading `$`) or that mean something to
 * JavaScript objects. Checked before anything is written, so such a key is a 400 naming the
 * statement and the key instead of a 500 after part of the batch was stored (finding 14).
 */
function checkKeys(value: unknown, ctx: z.RefinementCtx, path: (string | number)[] = [], depth = 1): void {
  if (depth > MAX_EXTENSION_DEPTH) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: `is nested deeper than ${MAX_EXTENSION_DEPTH} levels` });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkKeys(v, ctx, [...path, i], depth + 1));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, v] of Object.entries(value)) {
    if (key.includes('.') || key.startsWith('$') || key === '' || key === '__proto__') {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path,
        message: `key ${JSON.stringify(key)} is not allowed: an extension key must not be empty, contain "." or start with "$" (the database cannot store it)`,
      });
    } else checkKeys(v, ctx, [...path, key], depth + 1);
  }
}
const extensions = z.record(z.unknown(), { invalid_type_error: 'must be an object of extension values' }).superRefine((v, ctx) => checkKeys(v, ctx));

/** The fields of `result` anyone may send; success and score come only from the server's answer checking. */
const resultFields = {
  response: z.string().max(10_000, 'must be at most 10000 characters').optional(),
  duration: z.string().regex(DURATION, 'must be an ISO 8601 duration, e.g. PT45S').optional(),
  extensions: extensions.optional(),
};
const scoredResult = z
  .object({
    success: z.boolean({ invalid_type_error: 'must be true or false' }).optional(),
    score: z
      .object({
        scaled: z
          .number({ required_error: 'is required', invalid_type_error: 'must be a number' })
          .min(0, 'must be between 0 and 1')
          .max(1, 'must be between 0 and 1'),
      })
      .strict()
      .optional(),
    ...resultFields,
  })
  .strict();
const SERVER_SCORED = 'is set by the server when it checks an answer in the player; leave it out';
const learnerResult = z
  .object({ success: z.undefined({ invalid_type_error: SERVER_SCORED }), score: z.undefined({ invalid_type_error: SERVER_SCORED }), ...resultFields })
  .strict();

/** What server-side producers record: every verb, scored results. */
const statementSchema = z
  .object({
    id: z.string().uuid('must be a UUID, e.g. 3f0e2a2c-5d7b-4d0e-9a55-2b1d7c0f9e11').optional(),
    verb: z.enum(VERBS, { errorMap: () => ({ message: `must be one of ${VERBS.join(', ')}` }) }),
    object: z
      .object(
        {
          id: text(200),
          kind: z.enum(['item', 'pathway', 'skill'], { errorMap: () => ({ message: 'must be item, pathway or skill' }) }),
        },
        { required_error: 'is required: { id, kind }' },
      )
      .strict(),
    result: scoredResult.optional(),
    context: z
      .object({ recommendationId: text(200).optional(), extensions: extensions.optional() })
      .strict()
      .optional(),
    timestamp: z
      .string()
      .regex(TIMESTAMP, 'must be an ISO 8601 date-time with a time zone, e.g. 2024-05-01T10:00:00Z')
      .refine((t) => !Number.isNaN(Date.parse(t)), 'is not a real date')
      .refine((t) => Date.parse(t) <= Date.now() + MAX_FUTURE_MS, 'is more than 5 minutes in the future: check the device clock')
      .optional(),
    // The actor is checked against the session separately (403, not 400); accepted here so it is not "unknown".
    actor: z.unknown().optional(),
  })
  .strict();

/**
 * What a learner's browser may post: only verbs no grade or mastery reads, and no success or
 * score, so nothing a learner sends can become evidence (finding 2).
 */
const learnerStatementSchema = statementSchema.extend({
  verb: z.enum(LEARNER_VERBS, {
    errorMap: () => ({
      message: `must be one of ${LEARNER_VERBS.join(', ')}; answers, completions, mastery, overrides and recommendations are recorded by the server (answer through the player)`,
    }),
  }),
  result: learnerResult.optional(),
});

export type ParsedStatement = z.infer<typeof statementSchema>;

const batchSchema = z
  .object({
    statements: z
      .array(learnerStatementSchema, { invalid_type_error: 'must be an array of statements' })
      .min(1, 'must hold at least one statement')
      .max(MAX_BATCH, `must hold at most ${MAX_BATCH} statements; split the batch`),
    // The beacon's session token (sendBeacon cannot set an Authorization header).
    ltik: z.string().optional(),
  })
  .strict();

type Issue = { path: (string | number)[]; message: string };

/** Checked on the raw list so a repeat is reported alongside every other problem of the batch. */
function repeatedIds(list: unknown): Issue[] {
  if (!Array.isArray(list)) return [];
  const seen = new Map<string, number>();
  return list.flatMap((s, i) => {
    const id = (s as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return [];
    const first = seen.get(id);
    if (first === undefined) seen.set(id, i);
    return first === undefined ? [] : [{ path: ['statements', i, 'id'], message: `repeats the id of statement ${first}` }];
  });
}

const singleSchema = learnerStatementSchema.extend({ ltik: z.string().optional() });

/**
 * A learner's post: one statement, or `{ statements: [...] }` with 1 to MAX_BATCH of them. The whole body is
 * validated before anything is written; each problem names its statement index and field.
 */
export function parseIngestBody(body: unknown): ParsedStatement[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('VALIDATION_FAILED', 'invalid request body: send one statement object or { "statements": [...] }');
  }
  if ('statements' in body) {
    const r = batchSchema.safeParse(body);
    const issues: Issue[] = [...(r.success ? [] : r.error.issues), ...repeatedIds(body.statements)];
    if (issues.length === 0 && r.success) return r.data.statements;
    const index = (i: Issue) => (typeof i.path[1] === 'number' ? i.path[1] : -1);
    issues.sort((a, b) => index(a) - index(b));
    throw new AppError('VALIDATION_FAILED', `invalid batch: ${describeIssues(issues)}`, issues);
  }
  return [parse(singleSchema, body, 'statement')];
}

/** For server-side producers: the same rules, with the list index in each message. */
export function parseStatementList(list: StatementInput[]): ParsedStatement[] {
  return parse(z.array(statementSchema), list, 'statements');
}
