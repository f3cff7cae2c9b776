import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import type mongoose from 'mongoose';
import { log } from '../log.js';

/**
 * The guard rail for "request paths read by `_id` only" (DESIGN.md): FerretDB v1 decodes every
 * document of a collection for any filter but a single `_id` equality, so a request that filters by
 * anything else gets slower as the database grows. Every command the driver sends while an HTTP
 * request is being handled is checked (driver command monitoring, with the request found through
 * AsyncLocalStorage); one that filters by something else is logged once per route and shape, and
 * passed to any listener (the test that keeps the request paths clean).
 */
export interface NonIdFilter {
  /** `METHOD /path` of the request that issued it. */
  route: string;
  collection: string;
  /** find, update, delete, aggregate, count, distinct, findAndModify */
  command: string;
  /** The filter's field names (never values: they can hold learner data). */
  fields: string[];
}

const requests = new AsyncLocalStorage<{ route: string; memo: Map<string, Promise<unknown>> }>();
const listeners = new Set<(f: NonIdFilter) => void>();
const logged = new Set<string>();
const LOGGED_LIMIT = 1000;

/** Express middleware: commands issued while this request is handled are checked. */
export function watchRequestReads(req: Request, _res: Response, next: NextFunction): void {
  requests.run({ route: `${req.method} ${req.path}`, memo: new Map() }, next);
}

/**
 * `read()` once per HTTP request for `key` (the same document read several times while one page
 * is built); outside a request, every time. A request sees one state of what it reads.
 */
export function oncePerRequest<T>(key: string, read: () => PromiseLike<T>): Promise<T> {
  const memo = requests.getStore()?.memo;
  if (!memo) return Promise.resolve(read());
  let p = memo.get(key) as Promise<T> | undefined;
  // A real promise: a thenable (a mongoose query) would run again on every await.
  if (!p) memo.set(key, (p = Promise.resolve(read())));
  return p;
}

/** After a request changed what `key` read, its next read goes to the database again. */
export function forgetForRequest(key: string): void {
  requests.getStore()?.memo.delete(key);
}

/** For tests: every non-`_id` filter issued by a request path; returns the unsubscribe. */
export function onNonIdFilter(fn: (f: NonIdFilter) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * A single `_id` equality and nothing else (FerretDB pushes down only a one-field filter): a plain
 * value (string, number, ObjectId), not an operator like `$in`.
 */
function isIdEquality(filter: unknown): boolean {
  if (!filter || typeof filter !== 'object' || Object.keys(filter).length !== 1) return false;
  const id = (filter as { _id?: unknown })._id;
  if (id === undefined || id === null) return false;
  if (typeof id !== 'object') return true;
  return '_bsontype' in id || !Object.keys(id).some((k) => k.startsWith('$'));
}

type Command = Record<string, unknown>;
const filtersOf: Record<string, (c: Command) => unknown[]> = {
  find: (c) => [c.filter ?? {}],
  count: (c) => [c.query ?? {}],
  distinct: (c) => [c.query ?? {}],
  findAndModify: (c) => [c.query ?? {}],
  update: (c) => ((c.updates as { q: unknown }[] | undefined) ?? []).map((u) => u.q),
  delete: (c) => ((c.deletes as { q: unknown }[] | undefined) ?? []).map((d) => d.q),
  // An aggregation is a scan unless it starts by matching one _id.
  aggregate: (c) => [((c.pipeline as { $match?: unknown }[] | undefined) ?? [])[0]?.$match ?? {}],
};

function check(event: { commandName: string; command: Command }): void {
  const request = requests.getStore();
  if (!request) return;
  const filters = filtersOf[event.commandName];
  if (!filters) return;
  const bad = filters(event.command).find((f) => !isIdEquality(f));
  if (bad === undefined) return;
  const found: NonIdFilter = {
    route: request.route,
    collection: String(event.command[event.commandName]),
    command: event.commandName,
    fields: bad && typeof bad === 'object' ? Object.keys(bad) : [],
  };
  const key = `${found.route}\u0000${found.collection}\u0000${found.command}\u0000${found.fields.join(',')}`;
  if (!logged.has(key) && logged.size < LOGGED_LIMIT) {
    logged.add(key);
    log.warn(found, 'request path filtered by something other than _id (a scan on FerretDB v1)');
  }
  for (const fn of listeners) fn(found);
}

/** Connect options that turn command monitoring on (the client then emits `commandStarted`). */
export const MONITOR_COMMANDS = { monitorCommands: true } as const;

/** Attaches the check to a connected client (once per client). */
export function watchClient(client: mongoose.mongo.MongoClient): void {
  if (client.listeners('commandStarted').includes(check)) return;
  client.on('commandStarted', check);
}
