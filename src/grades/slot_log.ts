import mongoose from 'mongoose';
import { deliveries, slots, type Delivery, type GradeSlot } from './model.js';

/**
 * A slot's outbox documents, found by `_id` (FerretDB v1 scans the whole outbox for a filter by
 * slot). Before inserting a delivery, its producer inserts `<slot>/<n>` naming it, n being the
 * first free number: an insert the unique `_id` refuses moves on to the next, so the numbers have
 * no gaps. Readers read from the slot record's `from` up to the first missing number. Only the
 * worker holding a claim on one of the slot's deliveries moves `from` (it writes the slot record),
 * and only past entries whose deliveries are gone; the entries below are deleted after.
 */
interface LogEntry {
  _id: string;
  delivery: string;
  at: Date;
}
export const slotLog = () => mongoose.connection.collection<LogEntry>('wf_grade_slot_log');
const entryId = (slot: string, n: number) => `${slot}/${n}`;
const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/** An entry whose delivery is missing may be a producer between its two inserts: kept this long. */
const INSERTING_MS = 60_000;
/** Entries read per round trip. */
const READ_AHEAD = 2;

/** The next number this process expects to be free, per slot (a guess: the insert decides). */
const nextGuess = new Map<string, number>();

/** Lists a delivery under its slot (before the delivery is inserted); returns its number. */
export async function logDelivery(slot: string, delivery: string): Promise<number> {
  const record = await slots().findOne({ _id: slot });
  // Without a record (a new slot, or its record lost) readers start at 0, and so does the search.
  for (let n = record ? Math.max(record.from ?? 0, nextGuess.get(slot) ?? 0) : 0; ; n++) {
    try {
      await slotLog().insertOne({ _id: entryId(slot, n), delivery, at: new Date() });
      if (nextGuess.size > 10_000) nextGuess.clear();
      nextGuess.set(slot, n + 1);
      return n;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
}

/** A slot as its readers see it: the record, the live deliveries (oldest event first), and the log read. */
export interface SlotLive {
  slot: string;
  record: GradeSlot | null;
  docs: Delivery[];
  from: number;
  /** The first number not in the log when it was read. */
  end: number;
  entries: { n: number; delivery: string; at: Date; found: boolean }[];
}

export async function readSlot(slot: string): Promise<SlotLive> {
  const record = await slots().findOne({ _id: slot });
  const from = record?.from ?? 0;
  const entries: LogEntry[] = [];
  for (let n = from; entries.length === n - from; n += READ_AHEAD) {
    const batch = await Promise.all(Array.from({ length: READ_AHEAD }, (_, i) => slotLog().findOne({ _id: entryId(slot, n + i) })));
    const missing = batch.findIndex((e) => !e);
    entries.push(...(batch.slice(0, missing < 0 ? READ_AHEAD : missing) as LogEntry[]));
  }
  const ids = [...new Set(entries.map((e) => e.delivery))];
  const found = await Promise.all(ids.map((_id) => deliveries().findOne({ _id })));
  const docs = found.filter((d): d is Delivery => d !== null).sort((a, b) => a.eventAt.getTime() - b.eventAt.getTime());
  const live = new Set(docs.map((d) => d._id));
  return {
    slot,
    record,
    docs,
    from,
    end: from + entries.length,
    entries: entries.map((e, i) => ({ n: from + i, delivery: e.delivery, at: e.at, found: live.has(e.delivery) })),
  };
}

/**
 * Deliveries this process deleted (bounded): an entry naming one is not a producer between its two
 * inserts, however recent, so `from` moves past it at once. Without this, every answer within a
 * minute of the last kept the log behind it, and each read of the slot re-read them all.
 */
const removedHere = new Set<string>();
const REMOVED_KEPT = 10_000;

export function markRemoved(delivery: string): void {
  if (removedHere.size >= REMOVED_KEPT) removedHere.delete(removedHere.values().next().value!);
  removedHere.add(delivery);
}

/**
 * Where `from` may move once the deliveries `stillLive` says of are the only ones left: to the first
 * entry naming one of them or being inserted right now, else past everything read.
 */
export function keepFrom(s: SlotLive, stillLive: (delivery: string) => boolean, now = Date.now()): number {
  const inserting = (e: SlotLive['entries'][number]) => !removedHere.has(e.delivery) && now - e.at.getTime() < INSERTING_MS;
  const kept = s.entries.find((e) => (e.found ? stillLive(e.delivery) : inserting(e)));
  return kept ? kept.n : s.end;
}

/** Entries behind a slot's `from`, to delete with the worker's next flush. */
const dropped: string[] = [];

/** Marks entries below a new `from` for deletion (after the slot record says so; a leftover is only skipped). */
export function dropEntries(slot: string, from: number, to: number): void {
  for (let n = from; n < to; n++) dropped.push(entryId(slot, n));
}

export async function flushDroppedEntries(): Promise<void> {
  await Promise.all(dropped.splice(0).map((_id) => slotLog().deleteOne({ _id })));
}

/** Erasure: the log entries of these slots (by `_id`, from each slot's `from`). */
export async function eraseSlotLogs(slotIds: string[]): Promise<void> {
  for (const slot of slotIds) {
    const s = await readSlot(slot);
    dropEntries(slot, s.from, s.end);
    nextGuess.delete(slot);
  }
  await flushDroppedEntries();
}
