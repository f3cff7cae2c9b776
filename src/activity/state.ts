import { randomUUID } from 'node:crypto';
import type { HistoryEntry } from './queries.js';
import type { StoredStatement } from './model.js';
import type { Verb } from './verbs.js';

/**
 * The learner state: one document per learner per course (and one more for a previewer's preview),
 * kept up to date on write, so every request path reads what the learner has done with one `_id`
 * read instead of filtering the statement log (a full scan on FerretDB v1). The log stays the
 * source of truth; the state is rebuilt from it (`wayfinder rebuild-state`, migration 3).
 *
 * It holds the latest MAX_EVENTS statements in compact form (what the player, recommender,
 * progress, grades and dashboards read: verb, object, outcome, times, recommendation), in time
 * order; older answers and completions are folded into one summary per item (its answers,
 * correct answers, the latest outcome and whether it was ever done), which keeps items done,
 * latest scores and per-item counts exact however long the history grows.
 */
export const MAX_EVENTS = 500;

/** One statement as the state keeps it (short keys: the document is rewritten on every write). */
export interface StateEvent {
  id: string;
  verb: Verb;
  kind: StoredStatement['object']['kind'];
  obj: string;
  t: Date;
  st: Date;
  day: string;
  ok?: boolean;
  sc?: number;
  rec?: string;
  /** Context extensions the readers use (pathway, and a recommendation's reason and prediction). */
  ext?: Record<string, unknown>;
}

/** Older answers and completions of one item, folded. */
export interface FoldedItem {
  answers: number;
  correct: number;
  /** The latest answer or completion, as it was. */
  last: { verb: 'answered' | 'completed'; ok?: boolean; sc?: number; t: Date };
  /** When the newest folded statement was stored (retention counts from here). */
  st: Date;
  /** Ever answered correctly or completed. */
  done: boolean;
}

export interface LearnerStateDoc {
  _id: string;
  tenantId: string;
  courseId: string;
  sub: string;
  issuer: string;
  preview: boolean;
  /** Bumped on every write; a write that finds another version re-reads and re-applies (optimistic, see state_versions.ts). */
  v: number;
  /** A token fresh whenever the state is created, so its version claims never meet an earlier state's. */
  life?: string;
  events: StateEvent[];
  folded: Record<string, FoldedItem>;
  /** Statements applied, folded ones included. */
  total: number;
  lastActive?: Date;
  /**
   * Ids of the statements of the last write, applied here before the statements were inserted:
   * until that insert is known to have completed, a reader checks them against the log (by `_id`)
   * and drops any that never got there (a crash between the two writes).
   */
  unconfirmed: string[];
  /** Which process wrote `unconfirmed`, and when. */
  writer?: { process: string; at: Date };
  updatedAt: Date;
}

/**
 * How a state is stored: its events and folded items packed into one JSON string (times as epoch
 * milliseconds). FerretDB decodes a document value by value, so a state of 500 events as objects
 * took 20–25 ms to read or write, and one string of the same events under 2 ms.
 */
export interface StoredLearnerState extends Omit<LearnerStateDoc, 'events' | 'folded'> {
  packed: string;
}

type Packed = { events: (Omit<StateEvent, 't' | 'st'> & { t: number; st: number })[]; folded: Record<string, Omit<FoldedItem, 'st' | 'last'> & { st: number; last: Omit<FoldedItem['last'], 't'> & { t: number } }> };

export function packState({ events, folded, ...rest }: LearnerStateDoc): StoredLearnerState {
  const packed: Packed = {
    events: events.map((e) => ({ ...e, t: +e.t, st: +e.st })),
    folded: Object.fromEntries(Object.entries(folded).map(([item, f]) => [item, { ...f, st: +f.st, last: { ...f.last, t: +f.last.t } }])),
  };
  return { ...rest, packed: JSON.stringify(packed) };
}

/** A stored state as the readers use it; a state written before packing (events as objects) reads as it is. */
export function unpackState(doc: StoredLearnerState | LearnerStateDoc): LearnerStateDoc {
  if (!('packed' in doc)) return doc;
  const { packed, ...rest } = doc;
  const p = JSON.parse(packed) as Packed;
  return {
    ...rest,
    events: p.events.map((e) => ({ ...e, t: new Date(e.t), st: new Date(e.st) })),
    folded: Object.fromEntries(Object.entries(p.folded).map(([item, f]) => [item, { ...f, st: new Date(f.st), last: { ...f.last, t: new Date(f.last.t) } }])),
  };
}

export interface StateKey {
  tenantId: string;
  courseId: string;
  sub: string;
  preview: boolean;
}

/** `_id` from what the state is looked up by; the learner id is encoded, since LMS ids may hold `/`. */
export const stateId = (k: StateKey) => `ls/${k.tenantId}/${k.courseId}/${encodeURIComponent(k.sub)}${k.preview ? '/preview' : ''}`;

export const keyOf = (s: Pick<StoredStatement, 'tenantId' | 'courseId' | 'sub' | 'preview'>): StateKey => ({
  tenantId: s.tenantId,
  courseId: s.courseId,
  sub: s.sub,
  preview: s.preview === true,
});

export function emptyState(k: StateKey, issuer: string): LearnerStateDoc {
  return { _id: stateId(k), ...k, issuer, v: 0, life: randomUUID(), events: [], folded: {}, total: 0, unconfirmed: [], updatedAt: new Date() };
}

const KEPT_EXTENSIONS = ['pathway', 'reason', 'predictedSuccess', 'modelVersion', 'kind', 'skill'];

function compactExtensions(s: StoredStatement): Record<string, unknown> | undefined {
  const all = { ...(s.result?.extensions ?? {}), ...(s.context.extensions ?? {}) };
  const kept = Object.entries(all).filter(([k]) => KEPT_EXTENSIONS.includes(k.split(/[/#]/).pop()!));
  return kept.length ? Object.fromEntries(kept) : undefined;
}

export function toEvent(s: StoredStatement): StateEvent {
  return {
    id: s._id,
    verb: s.verb,
    kind: s.object.kind,
    obj: s.object.id,
    t: s.timestamp,
    st: s.stored,
    day: s.day,
    ...(typeof s.result?.success === 'boolean' ? { ok: s.result.success } : {}),
    ...(typeof s.result?.score?.scaled === 'number' ? { sc: s.result.score.scaled } : {}),
    ...(s.context.recommendationId ? { rec: s.context.recommendationId } : {}),
    ...(compactExtensions(s) ? { ext: compactExtensions(s) } : {}),
  };
}

const order = (a: Pick<StateEvent, 't' | 'st'>, b: Pick<StateEvent, 't' | 'st'>) => +a.t - +b.t || +a.st - +b.st;

function fold(state: LearnerStateDoc, e: StateEvent): void {
  if (e.kind !== 'item' || (e.verb !== 'answered' && e.verb !== 'completed')) return;
  const f = state.folded[e.obj] ?? { answers: 0, correct: 0, last: { verb: e.verb, t: e.t }, done: false, st: e.st };
  if (+e.st > +f.st) f.st = e.st;
  if (e.verb === 'answered' && typeof e.ok === 'boolean') {
    f.answers++;
    if (e.ok) f.correct++;
  }
  if (+e.t >= +f.last.t) f.last = { verb: e.verb, t: e.t, ...(e.ok !== undefined ? { ok: e.ok } : {}), ...(e.sc !== undefined ? { sc: e.sc } : {}) };
  f.done ||= e.verb === 'completed' || (e.verb === 'answered' && e.ok === true);
  state.folded[e.obj] = f;
}

/** Applies statements not applied yet (by id); returns the new state and the statements applied. */
export function applyStatements(state: LearnerStateDoc, docs: StoredStatement[]): { state: LearnerStateDoc; applied: StoredStatement[] } {
  const known = new Set(state.events.map((e) => e.id));
  const applied = docs.filter((d) => !known.has(d._id) && (known.add(d._id), true));
  return { state: applied.length ? applyEvents(state, applied.map(toEvent)) : state, applied };
}

/** Adds events (new ones, not checked), keeps time order, folds the oldest beyond MAX_EVENTS. */
export function applyEvents(state: LearnerStateDoc, added: StateEvent[]): LearnerStateDoc {
  const next: LearnerStateDoc = { ...state, folded: { ...state.folded }, events: [...state.events, ...added].sort(order) };
  while (next.events.length > MAX_EVENTS) fold(next, next.events.shift()!);
  next.total = state.total + added.length;
  next.lastActive = added.reduce((a, e) => (+e.t > +a ? e.t : a), state.lastActive ?? added[0].t);
  return next;
}

/** Drops what retention has purged from the log: events and folded items older than `cutoff`. */
export function withoutExpired(state: LearnerStateDoc, cutoff: Date): LearnerStateDoc {
  if (!state.events.some((e) => +e.st < +cutoff) && !Object.values(state.folded).some((f) => +f.st < +cutoff)) return state;
  const events = state.events.filter((e) => +e.st >= +cutoff);
  const folded = Object.fromEntries(Object.entries(state.folded).filter(([, f]) => +f.st >= +cutoff));
  return { ...state, events, folded, total: events.length + Object.values(folded).reduce((n, f) => n + f.answers, 0) };
}

/**
 * The state as statement-shaped history entries, oldest first, for the readers written against
 * the log: each folded item first as its latest outcome (and, when it was done before a later
 * wrong answer, that success too), then the events.
 */
export function historyOf(state: LearnerStateDoc): HistoryEntry[] {
  const base = (id: string, verb: Verb, kind: StateEvent['kind'], obj: string, t: Date, st: Date, day: string) => ({
    _id: id,
    tenantId: state.tenantId,
    courseId: state.courseId,
    issuer: state.issuer,
    sub: state.sub,
    verb,
    object: { id: obj, kind },
    timestamp: t,
    stored: st,
    day,
    preview: state.preview,
  });
  const folded: HistoryEntry[] = Object.entries(state.folded)
    .sort(([, a], [, b]) => +a.last.t - +b.last.t)
    .flatMap(([item, f]) => {
      const day = f.last.t.toISOString().slice(0, 10);
      const last: HistoryEntry = {
        ...base(`folded/${item}`, f.last.verb, 'item', item, f.last.t, f.last.t, day),
        ...(f.last.ok !== undefined || f.last.sc !== undefined ? { result: { ...(f.last.ok !== undefined ? { success: f.last.ok } : {}), ...(f.last.sc !== undefined ? { score: { scaled: f.last.sc } } : {}) } } : {}),
        context: { launchId: '' },
      };
      const doneBefore = f.done && !(f.last.verb === 'completed' || f.last.ok === true);
      return doneBefore ? [{ ...base(`folded/${item}/done`, 'answered', 'item', item, f.last.t, f.last.t, day), result: { success: true }, context: { launchId: '' } }, last] : [last];
    });
  const events: HistoryEntry[] = state.events.map((e) => ({
    ...base(e.id, e.verb, e.kind, e.obj, e.t, e.st, e.day),
    ...(e.ok !== undefined || e.sc !== undefined ? { result: { ...(e.ok !== undefined ? { success: e.ok } : {}), ...(e.sc !== undefined ? { score: { scaled: e.sc } } : {}) } } : {}),
    context: { launchId: '', ...(e.rec ? { recommendationId: e.rec } : {}), ...(e.ext ? { extensions: e.ext } : {}) },
  }));
  return [...folded, ...events];
}

/** Two states of one learner (their own and their preview) as one history, in time order. */
export function mergedHistory(states: LearnerStateDoc[]): HistoryEntry[] {
  if (states.length === 1) return historyOf(states[0]);
  return states.flatMap(historyOf).sort((a, b) => +a.timestamp - +b.timestamp || +a.stored - +b.stored);
}
