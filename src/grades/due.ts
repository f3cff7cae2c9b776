import mongoose from 'mongoose';

/**
 * When slots have work, so the worker reads what is due instead of scanning the outbox (FerretDB
 * v1 decodes the whole collection for any filter but one `_id`). Time is cut into periods; an
 * entry `gd/<period>/<n>` names slots with work due in that period: a new grade (now), a retry
 * (at its next attempt); the slots marked in this process in one turn of the event loop share
 * one entry (one write for a burst). Entries are only inserted, n being the first free number in the period
 * (an insert the unique `_id` refuses moves on), so a reader reads each period from where it
 * stopped up to the first missing number: work proportional to what became due.
 *
 * A period is retired some time after it ended: read once more (a little past any gap a failed
 * insert left), its slots the worker has not settled are carried into the current period, then its
 * entries are deleted and the cursor (`gd/cursor`, the oldest period not retired) moves on. A
 * worker starting up queues every slot with pending work (one scan, off the request paths), so
 * nothing depends on entries a crashed process never wrote.
 */
export const PERIOD_MS = 5_000;
/** A period is retired this long after it ended (clock skew between processes, late inserts). */
const RETIRE_AFTER_MS = 30_000;
/** How far the last read of a period looks past a missing number. */
const GAP = 5;
/** Entries are inserted within this long of their period's end (a turn of the event loop, an insert). */
const INSERT_MARGIN_MS = 2_000;

interface DueEntry {
  _id: string;
  slots?: string[];
  period?: number;
}
const dueEntries = () => mongoose.connection.collection<DueEntry>('wf_grade_due');
const CURSOR = 'gd/cursor';
const periodOf = (ms: number) => Math.floor(ms / PERIOD_MS) * PERIOD_MS;
const entryId = (period: number, n: number) => `gd/${period}/${n}`;
const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/** Per period, the next number this process expects to be free (its reader keeps it up to date). */
const nextFree = new Map<number, number>();
const expectFree = (period: number, n: number) => {
  if ((nextFree.get(period) ?? 0) < n) nextFree.set(period, n);
};

async function insertEntry(period: number, slots: string[]): Promise<void> {
  for (;;) {
    // Taken before the insert, so concurrent inserts in this process try different numbers.
    const n = nextFree.get(period) ?? 0;
    nextFree.set(period, n + 1);
    try {
      await dueEntries().insertOne({ _id: entryId(period, n), slots });
      return;
    } catch (err) {
      // Another process took n. Any other failure may leave n a gap: a period's last read looks past it.
      if (!isDuplicateKey(err)) throw err;
    }
  }
}

/** Slots marked in this turn of the event loop, per period, and the write that will list them. */
const batches = new Map<number, { slots: Set<string>; written: Promise<void> }>();

/** Queues a slot to be looked at from `atMs` on (default now); resolves once that is stored. */
export function markDue(slot: string, atMs = Date.now()): Promise<void> {
  const period = periodOf(atMs);
  let batch = batches.get(period);
  if (!batch) {
    const slots = new Set<string>();
    const written = new Promise((resolve) => setImmediate(resolve)).then(() => {
      batches.delete(period);
      return insertEntry(period, [...slots]);
    });
    batches.set(period, (batch = { slots, written }));
  }
  batch.slots.add(slot);
  return batch.written;
}

/** Entries of one period from `n` on, up to the first missing (or `gap` missing in a row). */
async function readFrom(period: number, n: number, gap = 1): Promise<{ slots: string[]; next: number }> {
  const slots: string[] = [];
  let next = n;
  for (let i = n, missing = 0; missing < gap; i++) {
    const e = await dueEntries().findOne({ _id: entryId(period, i) });
    if (!e) {
      missing++;
      continue;
    }
    missing = 0;
    slots.push(...(e.slots ?? []));
    next = i + 1;
  }
  expectFree(period, next);
  return { slots, next };
}

/** One worker's reading of the due entries: where it stopped in each period not retired yet. */
export class DueReader {
  private cursor?: number;
  /** Per period: the next number to read, and when it was last read. */
  private positions = new Map<number, { next: number; readAt: number }>();
  /** Per period, the slots read from it (carried on at retirement if not settled). */
  private seen = new Map<number, Set<string>>();

  private async loadCursor(now: number): Promise<number> {
    const doc = await dueEntries().findOne({ _id: CURSOR });
    if (doc?.period !== undefined) return doc.period;
    const period = periodOf(now) - PERIOD_MS;
    await dueEntries()
      .insertOne({ _id: CURSOR, period })
      .catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
    return this.loadCursor(now);
  }

  /** Slots that became due since the last read. */
  async read(now = Date.now()): Promise<Set<string>> {
    this.cursor ??= await this.loadCursor(now);
    const due = new Set<string>();
    const current = periodOf(now);
    for (let p = this.cursor; p <= current; p += PERIOD_MS) {
      const at = this.positions.get(p);
      // A period read to its end after it ended gets nothing new until its last read.
      if (at && at.readAt > p + PERIOD_MS + INSERT_MARGIN_MS) continue;
      const { slots, next } = await readFrom(p, at?.next ?? 0);
      this.positions.set(p, { next, readAt: now });
      this.note(p, slots, due);
    }
    return due;
  }

  private note(period: number, slots: string[], due: Set<string>): void {
    if (!slots.length) return;
    const seen = this.seen.get(period) ?? new Set();
    for (const s of slots) {
      seen.add(s);
      due.add(s);
    }
    this.seen.set(period, seen);
  }

  /**
   * Retires the periods old enough: `unsettled` says which of a period's slots still have work
   * this worker has not finished or rescheduled; those are queued again now. Returns the slots a
   * last read found (due now).
   */
  async retire(unsettled: (slot: string) => boolean, now = Date.now()): Promise<Set<string>> {
    const due = new Set<string>();
    for (let p = this.cursor; p !== undefined && p + PERIOD_MS + RETIRE_AFTER_MS <= now; p = this.cursor) {
      const at = this.positions.get(p)?.next ?? 0;
      const last = await readFrom(p, at, at > 0 ? GAP : 1);
      this.note(p, last.slots, due);
      const carried = [...(this.seen.get(p) ?? [])].filter((s) => due.has(s) || unsettled(s));
      await Promise.all(carried.map((slot) => markDue(slot, now)));
      await Promise.all(Array.from({ length: last.next }, (_, n) => dueEntries().deleteOne({ _id: entryId(p, n) })));
      this.positions.delete(p);
      this.seen.delete(p);
      nextFree.delete(p);
      // Another worker may be ahead: the cursor only moves forward.
      const next = p + PERIOD_MS;
      const stored = (await dueEntries().findOne({ _id: CURSOR }))?.period ?? -Infinity;
      if (stored < next) await dueEntries().replaceOne({ _id: CURSOR }, { period: next }, { upsert: true });
      this.cursor = Math.max(next, stored);
    }
    return due;
  }
}

/** At start: entries older than the current period are no longer needed once every pending slot is queued again (a background scan). */
export async function dropStaleEntries(now = Date.now()): Promise<void> {
  const keepFrom = periodOf(now) - PERIOD_MS;
  const stale = await dueEntries().find({ _id: { $regex: '^gd/\\d+/' } }, { projection: { _id: 1 } }).toArray();
  const old = stale.filter((e) => Number(e._id.split('/')[1]) < keepFrom).map((e) => e._id);
  for (let i = 0; i < old.length; i += 500) await dueEntries().deleteMany({ _id: { $in: old.slice(i, i + 500) } });
  const cursor = await dueEntries().findOne({ _id: CURSOR });
  if (cursor?.period !== undefined && cursor.period < keepFrom) await dueEntries().replaceOne({ _id: CURSOR }, { period: keepFrom });
}
