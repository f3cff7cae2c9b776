/**
 * Score timestamps. Moodle keeps a grade's time in whole seconds and refuses (409) a score whose
 * timestamp is not in a later second than the grade it holds; Canvas refuses an earlier one
 * (400). A manually registered platform says nothing about itself, so every slot's timestamps
 * step by whole seconds everywhere: at most a second's wait in a burst, and the wait coalesces
 * the answers given meanwhile into one score.
 */
const SECOND_MS = 1000;
/** A wait longer than this means the LMS's own grade is ahead of our clock: send without waiting. */
export const MAX_WAIT_MS = 2 * SECOND_MS;

export const secondOf = (t: string | number) =>
  Math.floor((typeof t === 'string' ? Date.parse(t) : t) / SECOND_MS);

/** The earliest time (ms) a score for an event at `eventAtMs` may carry: in a later second than any of `earlier`. */
export function nextTimestampMs(eventAtMs: number, earlier: (string | undefined)[]): number {
  const seconds = earlier.filter((t): t is string => Boolean(t)).map(secondOf);
  return seconds.length ? Math.max(eventAtMs, (Math.max(...seconds) + 1) * SECOND_MS) : eventAtMs;
}
