/**
 * Sign-in attempts per client address, in memory (one process serves the admin console; a
 * restart forgets, which only helps a locked-out operator). Failed attempts count; a success
 * clears the address.
 */
export interface Limiter {
  /** Seconds until the address may try again, or 0 when it may try now. */
  retryAfter(key: string, now?: number): number;
  fail(key: string, now?: number): void;
  clear(key: string): void;
}

const MAX_ADDRESSES = 10_000;

export function failureLimiter(maxFailures: number, windowMs: number): Limiter {
  const failures = new Map<string, number[]>();
  const recent = (key: string, now: number) => (failures.get(key) ?? []).filter((t) => now - t < windowMs);
  return {
    retryAfter(key, now = Date.now()) {
      const list = recent(key, now);
      if (list.length) failures.set(key, list);
      else failures.delete(key);
      return list.length >= maxFailures ? Math.ceil((list[0] + windowMs - now) / 1000) : 0;
    },
    fail(key, now = Date.now()) {
      // Bounded: under a flood from many addresses, forget the oldest first.
      if (failures.size >= MAX_ADDRESSES) failures.delete(failures.keys().next().value!);
      failures.set(key, [...recent(key, now), now]);
    },
    clear(key) {
      failures.delete(key);
    },
  };
}
