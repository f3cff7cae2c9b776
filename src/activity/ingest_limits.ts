import type { Response } from 'express';
import type { Config } from '../config.js';
import { AppError } from '../web/errors.js';

/**
 * Per-learner and per-course limits on what learners post to /api/activity (issue 14, finding 9:
 * 50,000 statements from one student in 12 s slowed every page to a minute). Each learner in a
 * course and each course has a rate (a token bucket: the per-minute allowance, refilled evenly)
 * and a volume per UTC day. A batch is taken whole or refused whole: 429 with Retry-After saying
 * when it would fit, so the browser queue waits and sends it again. Counted per process (several
 * tool processes each allow the limits); the player's own answers are not counted here, each of
 * them being a whole page request.
 */
export type IngestLimits = Config['ingestLimits'];

interface Allowance {
  tokens: number;
  at: number;
  day: string;
  today: number;
}

const KEEP = 100_000; // allowances remembered; the oldest are dropped first (a fresh one is full)
const allowances = new Map<string, Allowance>();
const DAY_MS = 86_400_000;

function allowance(key: string, perMinute: number, now: number): Allowance {
  const day = new Date(now).toISOString().slice(0, 10);
  let a = allowances.get(key);
  if (!a) {
    if (allowances.size >= KEEP) allowances.delete(allowances.keys().next().value!);
    a = { tokens: perMinute, at: now, day, today: 0 };
    allowances.set(key, a);
  }
  a.tokens = Math.min(perMinute, a.tokens + ((now - a.at) / 60_000) * perMinute);
  a.at = now;
  if (a.day !== day) Object.assign(a, { day, today: 0 });
  return a;
}

/** Seconds until `n` statements fit the allowance, or 0 when they fit now. */
function waitFor(a: Allowance, n: number, perMinute: number, perDay: number, now: number): number {
  if (a.today + n > perDay) return Math.ceil((DAY_MS - (now % DAY_MS)) / 1000);
  if (n > a.tokens) return Math.ceil(((n - a.tokens) / perMinute) * 60);
  return 0;
}

/**
 * Takes `n` statements from the learner's and the course's allowance, or throws RATE_LIMITED
 * (with Retry-After on `res`) naming which limit was reached and when to send again.
 */
export function takeIngestAllowance(limits: IngestLimits, who: { tenantId: string; courseId: string; sub: string }, n: number, res: Response, now = Date.now()): void {
  const course = `${who.tenantId}\u0000${who.courseId}`;
  const learner = allowance(`${course}\u0000${who.sub}`, limits.learnerPerMinute, now);
  const whole = allowance(course, limits.coursePerMinute, now);
  const checks = [
    { wait: waitFor(learner, n, limits.learnerPerMinute, limits.learnerPerDay, now), what: `you (${limits.learnerPerMinute} statements a minute, ${limits.learnerPerDay} a day)` },
    { wait: waitFor(whole, n, limits.coursePerMinute, limits.coursePerDay, now), what: `this course (${limits.coursePerMinute} statements a minute, ${limits.coursePerDay} a day)` },
  ];
  const refused = checks.filter((c) => c.wait > 0).sort((a, b) => b.wait - a.wait)[0];
  if (refused) {
    res.setHeader('Retry-After', String(refused.wait));
    throw new AppError('RATE_LIMITED', `too many statements: the limit for ${refused.what} is reached; nothing of this request was stored; send it again in ${refused.wait} s`);
  }
  for (const a of [learner, whole]) {
    a.tokens -= n;
    a.today += n;
  }
}
