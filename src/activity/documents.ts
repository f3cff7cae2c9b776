import { randomUUID } from 'node:crypto';
import type { LaunchContext } from '../lti/session.js';
import type { ParsedStatement } from './input.js';
import type { StoredStatement } from './model.js';

/** The launch fields a statement takes from its session. */
export type StatementSession = Pick<LaunchContext, 'tenantId' | 'courseId' | 'issuer' | 'sub' | 'role' | 'testUser' | 'launchId' | 'resourceLinkId'>;

/** Anyone but a real learner is previewing; their statements must not shape grades or models. */
export const isPreview = (s: Pick<LaunchContext, 'role' | 'testUser'>): boolean => s.testUser || s.role !== 'student';

/** Drops undefined fields so the stored document and its comparison form hold the same keys. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Turns validated input into documents with every id fixed before any write: a retry of the
 * same documents after a partial failure then completes the write instead of duplicating it.
 */
export function toDocuments(session: StatementSession, input: ParsedStatement[], now = new Date()): StoredStatement[] {
  return input.map((s) => {
    const timestamp = s.timestamp ? new Date(s.timestamp) : now;
    return {
      _id: s.id ?? randomUUID(),
      tenantId: session.tenantId,
      courseId: session.courseId,
      issuer: session.issuer,
      sub: session.sub,
      verb: s.verb,
      object: { id: s.object.id, kind: s.object.kind },
      ...(s.result ? { result: compact(s.result) } : {}),
      context: compact({
        resourceLinkId: session.resourceLinkId,
        launchId: session.launchId,
        recommendationId: s.context?.recommendationId,
        extensions: s.context?.extensions,
      }),
      timestamp,
      stored: now,
      day: timestamp.toISOString().slice(0, 10),
      preview: isPreview(session),
    };
  });
}

/** Stable JSON with sorted keys, so key order never makes equal content look different. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * What makes two statements with one id "the same" (xAPI's comparison rules leave out stored,
 * timestamp and authority; we also leave out the launch, since a relaunch may resend a queue).
 */
export function sameContent(a: StoredStatement, b: StoredStatement): boolean {
  const key = (s: StoredStatement) =>
    canonical({
      tenantId: s.tenantId,
      courseId: s.courseId,
      issuer: s.issuer,
      sub: s.sub,
      verb: s.verb,
      object: s.object,
      result: s.result,
      recommendationId: s.context?.recommendationId,
      extensions: s.context?.extensions,
    });
  return key(a) === key(b);
}
