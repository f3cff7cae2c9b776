import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import client from 'prom-client';
import { log } from '../log.js';
import { registry } from '../web/metrics.js';
import { claims, deliveries, type Delivery } from './model.js';
import { attempt, type AttemptOutcome } from './send.js';
import { onGradeQueued } from './wake.js';

/**
 * The outbox worker, one per server process. It sends each slot's latest pending grade, one
 * attempt at a time per slot, at most `concurrency` requests per platform at once. Several
 * workers (processes) may share a database: every attempt is claimed first by inserting
 * `{_id: deliveryId#attempt}`, which the unique `_id` index lets only one of them do.
 */
export interface WorkerOptions {
  /** Score deliveries in flight per platform, to protect the LMS. */
  concurrency: number;
  /** How often to look for due work when nothing wakes the worker earlier. */
  pollMs: number;
  /** First retry delay; it doubles per attempt (with ±50 % jitter) up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** After this many attempts a delivery fails for good (the teacher can retry it). */
  maxAttempts: number;
  /** A claim older than this belongs to a worker that died mid-attempt and may be taken over. */
  leaseMs: number;
  /** Due slots read per scan. */
  batch: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  concurrency: 8,
  pollMs: 1000,
  retryBaseMs: 2000,
  retryMaxMs: 15 * 60_000,
  maxAttempts: 12,
  leaseMs: 3 * 60_000,
  batch: 200,
};

const deliveriesTotal = new client.Counter({
  name: 'wayfinder_grade_deliveries_total',
  help: 'Grade delivery attempts by outcome (sent, retry, failed, superseded)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});
const deliverySeconds = new client.Histogram({
  name: 'wayfinder_grade_delivery_seconds',
  help: 'Time from a grade change to the LMS acknowledging it',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300],
  registers: [registry],
});

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;
const maxOf = (values: number[]) => values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);

export class GradeWorker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly options: WorkerOptions;
  private queue: { slot: string; platformKey: string }[] = [];
  /** Slots queued or being worked on in this process. */
  private taken = new Set<string>();
  private running = new Map<string, number>();
  private tasks = new Set<Promise<void>>();
  private stopped = false;
  private woken = false;
  private wake: () => void = () => {
    this.woken = true;
  };
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
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
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

  private async refill(): Promise<void> {
    const due = await deliveries()
      .find(
        { state: 'pending', nextAttemptAt: { $lte: new Date() } },
        { projection: { slot: 1, platformKey: 1 } },
      )
      .sort({ nextAttemptAt: 1 })
      .limit(this.options.batch)
      .toArray();
    for (const d of due) {
      if (this.taken.has(d.slot)) continue;
      this.taken.add(d.slot);
      this.queue.push({ slot: d.slot, platformKey: d.platformKey });
    }
  }

  private dispatch(): void {
    const rest: typeof this.queue = [];
    for (const job of this.queue) {
      const busy = this.running.get(job.platformKey) ?? 0;
      if (this.stopped || busy >= this.options.concurrency) {
        rest.push(job);
        continue;
      }
      this.running.set(job.platformKey, busy + 1);
      const task = this.work(job.slot)
        .catch((err) =>
          log.warn({ err: (err as Error).message, slot: job.slot }, 'grades: slot attempt failed'),
        )
        .finally(() => {
          this.running.set(job.platformKey, (this.running.get(job.platformKey) ?? 1) - 1);
          this.taken.delete(job.slot);
          this.tasks.delete(task);
          this.wake();
        });
      this.tasks.add(task);
    }
    this.queue = this.stopped ? [] : rest;
    if (this.stopped) for (const job of rest) this.taken.delete(job.slot);
  }

  /** Owns attempt N of a delivery, or learns that another worker does. */
  private async claim(d: Delivery): Promise<boolean> {
    const base = `${d._id}#${d.attempts}`;
    for (let takeover = 0; takeover <= 3; takeover++) {
      const _id = takeover ? `${base}~${takeover}` : base;
      try {
        await claims().insertOne({ _id, delivery: d._id, worker: this.id, at: new Date() });
        if (!takeover) return true;
        // Taking over a dead worker's attempt: only if the delivery really did not move on.
        const now = await deliveries().findOne({ _id: d._id });
        return now?.state === 'pending' && now.attempts === d.attempts;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const held = await claims().findOne({ _id });
        if (!held || Date.now() - held.at.getTime() < this.options.leaseMs) return false;
      }
    }
    return false;
  }

  private async settle(d: Delivery, set: Partial<Delivery>, unset: (keyof Delivery)[] = []): Promise<void> {
    await deliveries().updateOne(
      { _id: d._id },
      {
        $set: { ...set, attempts: d.attempts + 1, updatedAt: new Date() },
        ...(unset.length ? { $unset: Object.fromEntries(unset.map((k) => [k, ''])) } : {}),
      },
    );
  }

  private async supersede(d: Delivery, why: string): Promise<boolean> {
    if (!(await this.claim(d))) return false;
    await this.settle(d, { state: 'superseded', reason: why });
    deliveriesTotal.inc({ outcome: 'superseded' });
    return true;
  }

  /** One slot: coalesce to its latest pending grade, then one attempt at sending it. */
  private async work(slot: string): Promise<void> {
    const docs = await deliveries()
      .find({ slot, state: { $ne: 'skipped' } })
      .sort({ eventAt: 1 })
      .toArray();
    const pending = docs.filter((d) => d.state === 'pending');
    const candidate = pending.at(-1);
    if (!candidate) return;
    for (const older of pending.slice(0, -1))
      if (!(await this.supersede(older, 'a newer grade replaced it before it was sent'))) return;
    const lastSentEvent = maxOf(docs.filter((d) => d.state === 'sent').map((d) => d.eventAt.getTime()));
    if (candidate.eventAt.getTime() <= lastSentEvent) {
      await this.supersede(candidate, 'a newer grade was already sent');
      return;
    }
    if (candidate.nextAttemptAt.getTime() > Date.now() || !(await this.claim(candidate))) return;

    // Strictly increasing per slot: after every timestamp any earlier attempt may have sent.
    const lastTimestamp = maxOf(
      docs.filter((d) => d.timestamp && d !== candidate).map((d) => Date.parse(d.timestamp!)),
    );
    const timestamp =
      candidate.timestamp ?? new Date(Math.max(candidate.eventAt.getTime(), lastTimestamp + 1)).toISOString();
    const outcome = await attempt(candidate, timestamp);
    await this.record(candidate, timestamp, outcome);
  }

  private async record(d: Delivery, timestamp: string, outcome: AttemptOutcome): Promise<void> {
    const attempts = d.attempts + 1;
    if (outcome.kind === 'sent') {
      const sentAt = new Date();
      await this.settle(
        d,
        { state: 'sent', timestamp, sentAt, link: { ...d.link, lineItemUrl: outcome.lineItemUrl } },
        ['reason'],
      );
      // Older history of the slot is now moot: the outbox keeps the latest sent grade.
      await deliveries().deleteMany({
        slot: d.slot,
        eventAt: { $lt: d.eventAt },
        state: { $in: ['sent', 'failed', 'superseded'] },
      });
      deliveriesTotal.inc({ outcome: 'sent' });
      deliverySeconds.observe((sentAt.getTime() - d.eventAt.getTime()) / 1000);
      return;
    }
    if (outcome.kind === 'retry' && attempts < this.options.maxAttempts) {
      const backoff = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (attempts - 1));
      const delay = Math.max(outcome.retryAfterMs ?? 0, backoff * (0.5 + Math.random()));
      await this.settle(d, {
        state: 'pending',
        timestamp,
        reason: outcome.error,
        nextAttemptAt: new Date(Date.now() + delay),
      });
      deliveriesTotal.inc({ outcome: 'retry' });
      log.info(
        { delivery: d._id, attempts, delayMs: Math.round(delay), err: outcome.error },
        'grades: will retry',
      );
      return;
    }
    const reason =
      outcome.kind === 'retry' ? `gave up after ${attempts} attempts: ${outcome.error}` : outcome.error;
    await this.settle(d, { state: 'failed', timestamp, reason });
    deliveriesTotal.inc({ outcome: 'failed' });
    log.warn({ delivery: d._id, reason }, 'grades: delivery failed');
  }
}
