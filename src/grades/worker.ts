import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import client from 'prom-client';
import { log } from '../log.js';
import { registry } from '../web/metrics.js';
import { claimAttempt, DEFAULT_LEASE_MS, dropDelivery } from './claims.js';
import { DueReader, dropStaleEntries, markDue, PERIOD_MS } from './due.js';
import { deliveries, slots, type Delivery, type GradeSlot, type ScoreToSend } from './model.js';
import { logLiveDeliveries } from './rebuild.js';
import { attempt, type AttemptOutcome } from './send.js';
import { dropEntries, flushDroppedEntries, keepFrom, markRemoved, readSlot, type SlotLive } from './slot_log.js';
import { MAX_WAIT_MS, nextTimestampMs } from './timestamps.js';
import { onGradeQueued } from './wake.js';

/**
 * The outbox worker, one per server process. It sends each slot's latest pending grade, one
 * attempt at a time per slot, at most `concurrency` requests per platform at once. Several
 * workers (processes) may share a database: every attempt is claimed first by inserting
 * `{_id: deliveryId#attempt}`, which the unique `_id` index lets only one of them do.
 *
 * It learns which slots have work from the due entries (due.ts) and reads a slot's outbox
 * documents through its log (slot_log.ts), all by `_id`: its work follows what became due, not the
 * size of the outbox. A slot it looked at is *settled* once its work is sent, dropped, failed for
 * good or rescheduled with a due entry for the retry; an unsettled slot is looked at again (soon,
 * or when its due period is retired).
 */
export interface WorkerOptions {
  /** Requests to one platform in flight at once, to protect the LMS. */
  concurrency: number;
  /** Slots prepared (database reads, claims, bookkeeping) per platform per LMS request slot. */
  prepareFactor: number;
  /** How often to look for due work when nothing wakes the worker earlier. */
  pollMs: number;
  /** First retry delay; it doubles per attempt (with ±50 % jitter) up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** After this many attempts a delivery fails for good (the teacher can retry it). */
  maxAttempts: number;
  /** A claim older than this belongs to a worker that died mid-attempt and may be taken over. */
  leaseMs: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  concurrency: 8,
  prepareFactor: 4,
  pollMs: 1000,
  retryBaseMs: 2000,
  retryMaxMs: 15 * 60_000,
  maxAttempts: 12,
  leaseMs: DEFAULT_LEASE_MS,
};

const deliveriesTotal = new client.Counter({
  name: 'wayfinder_grade_deliveries_total',
  help: 'Grade delivery outcomes (sent, retry, resent: a newer score after a conflict, failed, dropped: coalesced, stale or unchanged)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});
const deliverySeconds = new client.Histogram({
  name: 'wayfinder_grade_delivery_seconds',
  help: 'Time from a grade change to the LMS acknowledging it',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300],
  registers: [registry],
});

const sameScore = (a: ScoreToSend, b: ScoreToSend) =>
  a.given === b.given &&
  a.maximum === b.maximum &&
  a.activityProgress === b.activityProgress &&
  a.gradingProgress === b.gradingProgress;

/** At most `limit()` holders at once; the rest wait in order. */
class Gate {
  private held = 0;
  private waiting: (() => void)[] = [];
  constructor(private readonly limit: () => number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.held >= this.limit()) await new Promise<void>((r) => this.waiting.push(r));
    else this.held++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.held--;
    }
  }
}

interface Job {
  slot: string;
  platformKey: string;
  /** The slot's outbox documents (pending and failed) when it was read, oldest event first. */
  docs: Delivery[];
  live: SlotLive;
}

/** Entries below `from` worth a slot record write of their own (a send moves `from` anyway). */
const ADVANCE_AFTER = 4;
/** Slots read through their logs at once while filling the queue. */
const READ_AT_ONCE = 16;

export class GradeWorker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly options: WorkerOptions;
  private queue: Job[] = [];
  /** Slots queued or being worked on in this process. */
  private taken = new Set<string>();
  private running = new Map<string, number>();
  /** Per platform: the LMS requests in flight (the database work around them runs beside). */
  private gates = new Map<string, Gate>();
  private tasks = new Set<Promise<void>>();
  private stopped = false;
  private woken = false;
  private wake: () => void = () => {
    this.woken = true;
  };
  private due = new DueReader();
  /** Slots looked at whose work is neither done nor rescheduled yet. */
  private unsettled = new Set<string>();
  /** Slots to look at again at a time: the next whole second (timestamps.ts), a claim held elsewhere, a retry due soon, after an error. */
  private revisits = new Map<string, number>();
  /** Slots that became due again while being worked on here. */
  private again = new Set<string>();
  /** Whether this process has queued the outbox's pending work found at start. */
  private queuedAtStart = false;
  /** Sent deliveries to remove at the next refill. */
  private finished: string[] = [];
  private loopDone?: Promise<void>;
  private unsubscribe?: () => void;

  constructor(options: Partial<WorkerOptions> = {}) {
    this.options = { ...DEFAULT_WORKER_OPTIONS, ...options };
  }

  start(): this {
    this.unsubscribe = onGradeQueued(() => this.wake());
    this.loopDone = this.loop();
    return this;
  }

  /** Stops taking work and waits for attempts in flight, so nothing is left half-written. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.wake();
    await this.loopDone;
    await Promise.all(this.tasks);
    await this.flushFinished();
  }

  /**
   * Deletes sent deliveries and the log entries behind the slots' `from`, each by `_id`: a delete
   * by `$in` decodes the whole collection on FerretDB v1, and the outbox may hold many failures.
   */
  private async flushFinished(): Promise<void> {
    const ids = this.finished.splice(0);
    await Promise.all(ids.map(async (_id) => (await deliveries().deleteOne({ _id }), markRemoved(_id))));
    await flushDroppedEntries();
  }

  /**
   * At start, every slot with pending work is queued (one scan of the live outbox, before any
   * request), each pending delivery in its slot's log: work whose due entry a crashed process never
   * wrote, or whose slot record was lost, is found here; older due entries then go.
   */
  private async queueWorkAtStart(): Promise<void> {
    const now = Date.now();
    const { due } = await logLiveDeliveries(true);
    await Promise.all([...due].map(([slot, at]) => markDue(slot, Math.max(now, at))));
    await dropStaleEntries(now);
    this.queuedAtStart = true;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.queuedAtStart) await this.queueWorkAtStart();
        if (this.queue.length === 0) await this.refill();
        this.dispatch();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'grades: worker scan failed, retrying');
      }
      if (!this.stopped) await this.idle();
    }
  }

  /** Sleeps until a grade is queued in this process, an attempt ends, or the poll interval passes. */
  private idle(): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = () => {
          this.woken = true;
        };
        resolve();
      };
      const timer = setTimeout(done, this.options.pollMs);
      this.wake = done;
    });
  }

  /** Slots that became due (entries, retired periods, revisits) and are not being worked on here. */
  private async dueSlots(now: number): Promise<string[]> {
    const due = await this.due.read(now);
    const unsettled = (s: string) => this.unsettled.has(s) || this.taken.has(s) || this.revisits.has(s);
    for (const s of await this.due.retire(unsettled, now)) due.add(s);
    for (const [s, at] of this.revisits) if (at <= now) due.add(s);
    const fresh: string[] = [];
    for (const s of due) {
      if (this.taken.has(s)) this.again.add(s);
      else if ((this.revisits.get(s) ?? 0) <= now) {
        this.revisits.delete(s);
        fresh.push(s);
      }
    }
    return fresh;
  }

  /** Looks at `slot` again at `atMs` (it stays unsettled until then). */
  private revisit(slot: string, atMs: number): void {
    this.unsettled.add(slot);
    this.revisits.set(slot, atMs);
    setTimeout(() => this.wake(), Math.max(0, atMs - Date.now())).unref();
  }

  /**
   * The slots that became due, read through their logs a few at a time, each few dispatched at
   * once. A slot is queued when its latest grade is due or older grades wait to be coalesced away.
   */
  private async refill(): Promise<void> {
    await this.flushFinished();
    const now = Date.now();
    const due = await this.dueSlots(now);
    for (let i = 0; i < due.length; i += READ_AT_ONCE) {
      const read = await Promise.all(due.slice(i, i + READ_AT_ONCE).map(readSlot));
      this.queueRead(read, now);
      if (i + READ_AT_ONCE < due.length) this.dispatch();
    }
  }

  private queueRead(read: SlotLive[], now: number): void {
    for (const live of read) {
      const { slot, docs } = live;
      const pending = docs.filter((d) => d.state === 'pending');
      const latest = pending.at(-1);
      if (!latest) {
        this.unsettled.delete(slot);
        continue;
      }
      const dueAt = latest.nextAttemptAt.getTime();
      if (dueAt > now && pending.length === 1) {
        // Due later in this period: looked at then. Later still: its retry has a due entry of its own.
        if (dueAt - now <= 2 * PERIOD_MS) this.revisit(slot, dueAt);
        else this.unsettled.delete(slot);
        continue;
      }
      this.taken.add(slot);
      this.unsettled.add(slot);
      this.queue.push({ slot, platformKey: latest.platformKey, docs, live });
    }
    this.queue.sort(
      (a, b) => a.docs.at(-1)!.nextAttemptAt.getTime() - b.docs.at(-1)!.nextAttemptAt.getTime(),
    );
  }

  private dispatch(): void {
    const rest: Job[] = [];
    for (const job of this.queue) {
      const busy = this.running.get(job.platformKey) ?? 0;
      if (this.stopped || busy >= this.options.concurrency * this.options.prepareFactor) {
        if (this.stopped) this.taken.delete(job.slot);
        else rest.push(job);
        continue;
      }
      this.running.set(job.platformKey, busy + 1);
      const task = this.work(job)
        .catch((err) => {
          log.warn({ err: (err as Error).message, slot: job.slot }, 'grades: slot attempt failed');
          this.revisit(job.slot, Date.now() + this.options.pollMs);
        })
        .finally(() => {
          this.running.set(job.platformKey, (this.running.get(job.platformKey) ?? 1) - 1);
          this.taken.delete(job.slot);
          if (this.again.delete(job.slot)) this.revisit(job.slot, Date.now());
          this.tasks.delete(task);
          this.wake();
        });
      this.tasks.add(task);
    }
    this.queue = rest;
  }

  private gate(platformKey: string): Gate {
    let gate = this.gates.get(platformKey);
    if (!gate) this.gates.set(platformKey, (gate = new Gate(() => this.options.concurrency)));
    return gate;
  }

  private async drop(d: Delivery): Promise<boolean> {
    const dropped = await dropDelivery(d, this.id);
    if (dropped) deliveriesTotal.inc({ outcome: 'dropped' });
    return dropped;
  }

  /**
   * The timestamp the candidate's score carries: fixed at its first attempt (a retry resends the
   * same score), else its event time, in a later second than any timestamp the slot has used.
   */
  private timestampFor(candidate: Delivery, slot: GradeSlot | null, docs: Delivery[]): number {
    if (candidate.timestamp) return Date.parse(candidate.timestamp);
    const used = [slot?.lastTimestamp, ...docs.flatMap((d) => [d.timestamp, d.notBefore])];
    return nextTimestampMs(candidate.eventAt.getTime(), used);
  }

  /** Where the slot's log may start once only its failed deliveries (and `failing`) are left. */
  private fromAfter(job: Job, failing?: string): number {
    return keepFrom(job.live, (id) => id === failing || job.docs.some((d) => d._id === id && d.state === 'failed'));
  }

  /** After drops without a send: moves the slot's `from` once enough entries are behind it. */
  private async advance(job: Job): Promise<void> {
    const from = this.fromAfter(job);
    if (!job.live.record || from - job.live.from < ADVANCE_AFTER) return;
    await slots().updateOne({ _id: job.slot }, { $set: { from } });
    dropEntries(job.slot, job.live.from, from);
  }

  /** One slot: coalesce to its latest pending grade, then one attempt at sending it. */
  private async work(job: Job): Promise<void> {
    const pending = job.docs.filter((d) => d.state === 'pending');
    const candidate = pending.at(-1)!;
    const slot = job.live.record;
    const sent = slot?.lastSent;
    const stale = sent && candidate.eventAt.getTime() <= new Date(sent.eventAt).getTime();
    const unchanged = sent && slot.state === 'sent' && sameScore(sent.score, candidate.score);
    const at = this.timestampFor(candidate, slot, job.docs);
    const wait = at - Date.now();
    // Waits for the slot's next whole second; answers given meanwhile are sent with it as one.
    if (!stale && !unchanged && wait > 0 && wait <= MAX_WAIT_MS) return this.revisit(job.slot, at);
    // Older pending grades are replaced by the latest; a claim refused means one is in flight
    // in another worker, so this slot waits for it (one attempt per slot at a time).
    for (const older of pending.slice(0, -1)) if (!(await this.drop(older))) return this.revisit(job.slot, Date.now() + this.options.pollMs);
    if (stale || unchanged) {
      if (await this.drop(candidate)) {
        await this.advance(job);
        this.unsettled.delete(job.slot);
      }
      return;
    }
    const dueAt = candidate.nextAttemptAt.getTime();
    if (dueAt > Date.now()) return this.revisit(job.slot, dueAt);
    if (!(await claimAttempt(candidate, this.id, this.options.leaseMs))) return this.revisit(job.slot, Date.now() + this.options.pollMs);
    const timestamp = new Date(at).toISOString();
    const outcome = await this.gate(candidate.platformKey).run(() => attempt(candidate, timestamp));
    await this.record(candidate, job, timestamp, outcome);
    this.unsettled.delete(job.slot);
  }

  private slotRecord(d: Delivery, set: Partial<GradeSlot>) {
    const { tenantId, courseId, platformKey, issuer, clientId, sub, name, link, score } = d;
    const base = {
      tenantId,
      courseId,
      platformKey,
      issuer,
      clientId,
      sub,
      ...(name ? { name } : {}),
      link,
      score,
    };
    return { ...base, attempts: d.attempts + 1, ...set, updatedAt: new Date() };
  }

  private async record(d: Delivery, job: Job, timestamp: string, outcome: AttemptOutcome) {
    const { docs, live } = job;
    const slot = live.record;
    const attempts = d.attempts + 1;
    const lastTimestamp = [
      slot?.lastTimestamp,
      timestamp,
      outcome.kind === 'sent' ? outcome.lmsTimestamp : undefined,
    ]
      .filter((t): t is string => Boolean(t))
      .reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
    if (outcome.kind === 'sent') {
      const at = new Date();
      const link = { ...d.link, lineItemUrl: outcome.lineItemUrl };
      // The log moves past this delivery and those coalesced into it (failed ones go after).
      const from = this.fromAfter(job);
      // The slot record first: whoever sees this delivery gone also sees what was sent.
      await slots().updateOne(
        { _id: d.slot },
        {
          $set: this.slotRecord(d, {
            link,
            state: 'sent',
            lastSent: { score: d.score, timestamp, eventAt: d.eventAt, at },
            lastTimestamp,
            from,
          }),
          $unset: { reason: '' },
        },
        { upsert: true },
      );
      dropEntries(d.slot, live.from, from);
      // Until removed, the slot record marks it stale for any worker that meets it.
      this.finished.push(d._id);
      // Failures of older grades are moot now.
      for (const old of docs) if (old.state === 'failed' && old.eventAt < d.eventAt) await this.drop(old);
      deliveriesTotal.inc({ outcome: 'sent' });
      deliverySeconds.observe((at.getTime() - d.eventAt.getTime()) / 1000);
      return;
    }
    const update = (set: Partial<Delivery>) =>
      deliveries().updateOne(
        { _id: d._id },
        { $set: { ...set, timestamp, attempts, updatedAt: new Date() } },
      );
    const backoff = () => {
      const base = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (attempts - 1));
      return base * (0.5 + Math.random());
    };
    if (outcome.kind === 'conflict' && attempts < this.options.maxAttempts) {
      // A new score, later than the refused one and the LMS's: no fixed timestamp any more. The
      // first few go at the next whole second; an LMS that keeps refusing gets backed off from.
      const conflicts = (d.conflicts ?? 0) + 1;
      const delay = conflicts <= 3 ? 0 : backoff();
      const nextAttemptAt = new Date(Date.now() + delay);
      await deliveries().updateOne(
        { _id: d._id },
        {
          $set: {
            reason: outcome.error,
            notBefore: outcome.notBefore,
            conflicts,
            attempts,
            nextAttemptAt,
            updatedAt: new Date(),
          },
          $unset: { timestamp: '' },
        },
      );
      await markDue(d.slot, nextAttemptAt.getTime());
      deliveriesTotal.inc({ outcome: 'resent' });
      log.info({ delivery: d._id, attempts, err: outcome.error }, 'grades: will send a newer score');
      return;
    }
    if (outcome.kind === 'retry' && attempts < this.options.maxAttempts) {
      const delay = Math.max(outcome.retryAfterMs ?? 0, backoff());
      const nextAttemptAt = new Date(Date.now() + delay);
      await update({ reason: outcome.error, nextAttemptAt });
      await markDue(d.slot, nextAttemptAt.getTime());
      deliveriesTotal.inc({ outcome: 'retry' });
      log.info(
        { delivery: d._id, attempts, delayMs: Math.round(delay), err: outcome.error },
        'grades: will retry',
      );
      return;
    }
    const reason =
      outcome.kind === 'failed' ? outcome.error : `gave up after ${attempts} attempts: ${outcome.error}`;
    const from = this.fromAfter(job, d._id);
    // A send that timed out may have landed: later timestamps must stay later than this one.
    await slots().updateOne(
      { _id: d.slot },
      { $set: this.slotRecord(d, { state: 'failed', reason, lastTimestamp, from }) },
      { upsert: true },
    );
    dropEntries(d.slot, live.from, from);
    await update({ state: 'failed', reason });
    deliveriesTotal.inc({ outcome: 'failed' });
    log.warn({ delivery: d._id, reason }, 'grades: delivery failed');
  }
}
