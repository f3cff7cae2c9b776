import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { recordForLaunch, type ObjectKind } from '../activity/index.js';
import type { LaunchContext } from '../lti/session.js';
import type { Pathway } from './format.js';

/**
 * Teacher overrides: a teacher knows better than the model and says so. A *pin* puts an item
 * first in "Next up" (until the learner has done it); a *skip* keeps an item out of it. Either is
 * for one learner or the whole course (`learner: '*'`). Overrides are kept, never deleted by a
 * revert (it sets `revertedAt`), and every change is an `override` statement whose actor is the
 * teacher and whose `context.extensions.learner` names the learner (so a data request finds it).
 *
 * "Next up" reads a learner's active overrides on every student request, so they are also copied
 * into one list per learner (and one for `*`) per course, read by `_id` (FerretDB v1 scans the
 * whole collection for any other filter). Writes keep the list at most one step ahead of the
 * override documents: a set writes the override, then the list (undoing the override when the
 * list write fails); a revert takes it off the list, then marks the override — so a request that
 * fails half-way and is retried ends consistent. The lists are rebuilt from the overrides by
 * migration 5 (`rebuildOverrideLists`).
 */
export type OverrideKind = 'pin' | 'skip';
export const WHOLE_COURSE = '*';

export interface Override {
  _id: string;
  tenantId: string;
  courseId: string;
  /** The learner's sub, or `*` for everyone in the course. */
  learner: string;
  kind: OverrideKind;
  itemId: string;
  by: { sub: string; name: string };
  createdAt: Date;
  revertedAt?: Date;
  revertedBy?: { sub: string; name: string };
}

const overrideSchema = new Schema<Override>(
  {
    _id: String,
    tenantId: String,
    courseId: String,
    learner: String,
    kind: String,
    itemId: String,
    by: Schema.Types.Mixed,
    createdAt: Date,
    revertedAt: Date,
    revertedBy: Schema.Types.Mixed,
  },
  { versionKey: false },
);
overrideSchema.index({ tenantId: 1, courseId: 1, learner: 1 });
overrideSchema.index({ tenantId: 1, learner: 1 });
const Overrides = mongoose.model<Override>('Override', overrideSchema, 'wf_overrides');

interface OverrideList {
  _id: string;
  tenantId: string;
  courseId: string;
  learner: string;
  /** Copies of the active overrides, oldest first. */
  active: Override[];
}
const lists = () => mongoose.connection.collection<OverrideList>('wf_override_lists');
const listId = (scope: Scope, learner: string) => `ol/${scope.tenantId}/${scope.courseId}/${encodeURIComponent(learner)}`;

/** One change at a time per list in this process (FerretDB v1 updates are read-then-write). */
const listLocks = new Map<string, Promise<unknown>>();
async function changeList(scope: Scope, learner: string, change: (active: Override[]) => Override[]): Promise<void> {
  const _id = listId(scope, learner);
  const run = (listLocks.get(_id) ?? Promise.resolve()).catch(() => undefined).then(async () => {
    const active = change((await lists().findOne({ _id }))?.active ?? []);
    await lists().replaceOne({ _id }, { tenantId: scope.tenantId, courseId: scope.courseId, learner, active }, { upsert: true });
  });
  listLocks.set(_id, run);
  try {
    await run;
  } finally {
    if (listLocks.get(_id) === run) listLocks.delete(_id);
  }
}

type Scope = { tenantId: string; courseId: string };
const who = (launch: LaunchContext) => ({ sub: launch.sub, name: launch.name });

/**
 * The statement every override change is (pins, skips and the grades area's grade overrides): the
 * teacher is the actor, `learner` names whom it is about, `override` its id, `kind` and `action`
 * what happened; `details` adds what that kind of override needs (e.g. the score).
 */
export async function recordOverrideStatement(
  teacher: LaunchContext,
  o: { _id: string; learner: string; kind: string; object: { id: string; kind: ObjectKind } },
  action: 'set' | 'revert',
  details: Record<string, unknown> = {},
): Promise<void> {
  await recordForLaunch(teacher, [
    {
      verb: 'override',
      object: o.object,
      context: { extensions: { learner: o.learner, override: o._id, kind: o.kind, action, ...details } },
    },
  ]);
}

const recordOverride = (teacher: LaunchContext, o: Override, action: 'set' | 'revert') =>
  recordOverrideStatement(teacher, { ...o, object: { id: o.itemId, kind: 'item' } }, action);

/** Records a pin or skip made by the launched teacher in their course. */
export async function setOverride(teacher: LaunchContext, input: { kind: OverrideKind; itemId: string; learner: string }): Promise<Override> {
  const o: Override = {
    _id: randomUUID(),
    tenantId: teacher.tenantId,
    courseId: teacher.courseId,
    learner: input.learner,
    kind: input.kind,
    itemId: input.itemId,
    by: who(teacher),
    createdAt: new Date(),
  };
  await Overrides.create(o);
  try {
    await changeList(teacher, o.learner, (active) => [...active, o]);
  } catch (err) {
    await Overrides.deleteOne({ _id: o._id }).catch(() => undefined); // else migration 5 lists it
    throw err;
  }
  await recordOverride(teacher, o, 'set');
  return o;
}

/** Reverts an override of the teacher's course; undefined when there is no such override there. */
export async function revertOverride(teacher: LaunchContext, id: string): Promise<Override | undefined> {
  // By `_id` alone (a second field makes FerretDB v1 scan), then checked to be of this course.
  const o = await Overrides.findOne({ _id: id }).lean<Override>();
  if (!o || o.tenantId !== teacher.tenantId || o.courseId !== teacher.courseId) return undefined;
  if (o.revertedAt) return o;
  const reverted = { ...o, revertedAt: new Date(), revertedBy: who(teacher) };
  await changeList(teacher, o.learner, (active) => active.filter((a) => a._id !== id));
  await Overrides.updateOne({ _id: id }, { $set: { revertedAt: reverted.revertedAt, revertedBy: reverted.revertedBy } });
  await recordOverride(teacher, o, 'revert');
  return reverted;
}

/** A course's overrides, newest first, optionally those that apply to one learner (the active ones of a learner by `_id`). */
export async function listOverrides(scope: Scope, o: { learner?: string; activeOnly?: boolean } = {}): Promise<Override[]> {
  if (o.learner && o.activeOnly) {
    const found = await Promise.all([o.learner, WHOLE_COURSE].map((l) => lists().findOne({ _id: listId(scope, l) })));
    return found.flatMap((l) => l?.active ?? []).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }
  return Overrides.find({
    tenantId: scope.tenantId,
    courseId: scope.courseId,
    ...(o.learner ? { learner: { $in: [o.learner, WHOLE_COURSE] } } : {}),
    ...(o.activeOnly ? { revertedAt: { $exists: false } } : {}),
  })
    .sort({ createdAt: -1 })
    .lean<Override[]>();
}

/** What the active overrides say about a learner's "Next up" in a pathway: the pin (newest wins) and the skips. */
export async function steeringFor(launch: Pick<LaunchContext, 'tenantId' | 'courseId' | 'sub'>, pathway: Pick<Pathway, 'items'>): Promise<{ pinned?: string; skipped: Set<string> }> {
  const active = (await listOverrides(launch, { learner: launch.sub, activeOnly: true })).filter((o) => pathway.items.includes(o.itemId));
  // A learner's own override is more specific than a course-wide one.
  const ordered = [...active.filter((o) => o.learner !== WHOLE_COURSE), ...active.filter((o) => o.learner === WHOLE_COURSE)];
  const skipped = new Set(ordered.filter((o) => o.kind === 'skip').map((o) => o.itemId));
  const pinned = ordered.find((o) => o.kind === 'pin' && !skipped.has(o.itemId))?.itemId;
  return { ...(pinned ? { pinned } : {}), skipped };
}

/** Data requests: overrides about one learner in every course of the tenant, and their erasure. */
export async function learnerOverrides(tenantId: string, sub: string): Promise<Override[]> {
  return Overrides.find({ tenantId, learner: sub }).sort({ createdAt: 1 }).lean<Override[]>();
}

export async function eraseLearnerOverrides(tenantId: string, sub: string): Promise<number> {
  await lists().deleteMany({ tenantId, learner: sub });
  const r = await Overrides.deleteMany({ tenantId, learner: sub });
  return r.deletedCount ?? 0;
}

/** Migration 5 and repairs: every list rebuilt from the override documents (a background scan). */
export async function rebuildOverrideLists(): Promise<number> {
  const groups = new Map<string, { scope: Scope; learner: string; active: Override[] }>();
  for await (const o of Overrides.find({}).sort({ createdAt: 1 }).lean<Override>().cursor()) {
    const key = listId(o, o.learner);
    const group = groups.get(key) ?? { scope: { tenantId: o.tenantId, courseId: o.courseId }, learner: o.learner, active: [] };
    if (!o.revertedAt) group.active.push(o);
    groups.set(key, group);
  }
  for (const { scope, learner, active } of groups.values()) await changeList(scope, learner, () => active);
  return groups.size;
}
