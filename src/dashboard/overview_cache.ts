import type { CourseScope } from '../activity/index.js';
import { log } from '../log.js';
import type { Locale } from '../web/i18n.js';
import { courseOverview, type CourseOverview } from './overview.js';

/**
 * The course overview reads every statement of the course, which on FerretDB v1 (no index use,
 * no server-side sort) takes seconds for a large course. A course whose overview computes within
 * SYNC_BUDGET_MS is always computed fresh. A slower one is served from its last computation: as
 * it is when under FRESH_MS old, otherwise at once while one recomputation runs in the
 * background; the page says when its figures are from. Only a course's first view waits.
 */
export const FRESH_MS = 30_000;
export const SYNC_BUDGET_MS = 250;
const MAX_COURSES = 200;

interface Entry {
  at: Date;
  value: CourseOverview;
  tookMs: number;
}
const cache = new Map<string, Entry>();
const pending = new Map<string, Promise<Entry>>();

function compute(key: string, scope: CourseScope, locale: Locale): Promise<Entry> {
  const running = pending.get(key);
  if (running) return running;
  const started = new Date();
  const job = courseOverview(scope, { locale, now: started })
    .then((value) => {
      const entry = { at: started, value, tookMs: Date.now() - started.getTime() };
      if (cache.size >= MAX_COURSES && !cache.has(key)) cache.delete(cache.keys().next().value!);
      cache.set(key, entry);
      return entry;
    })
    .finally(() => pending.delete(key));
  pending.set(key, job);
  return job;
}

export async function cachedOverview(scope: CourseScope, locale: Locale, now = Date.now()): Promise<{ overview: CourseOverview; at: Date }> {
  const key = `${scope.tenantId}\u0000${scope.courseId}\u0000${locale}`;
  const hit = cache.get(key);
  if (!hit || hit.tookMs < SYNC_BUDGET_MS) {
    const entry = await compute(key, scope, locale);
    return { overview: entry.value, at: entry.at };
  }
  if (now - hit.at.getTime() >= FRESH_MS) {
    compute(key, scope, locale).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'dashboard: overview refresh failed'));
  }
  return { overview: hit.value, at: hit.at };
}
