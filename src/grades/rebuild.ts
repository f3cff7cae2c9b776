import { listLinks } from './course_links.js';
import { deliveries, slots } from './model.js';
import { logDelivery, readSlot } from './slot_log.js';

/**
 * Puts every live delivery (or only the pending ones) in its slot's log where it is missing there
 * — written by an older version, or its slot record lost — and returns, per slot, when its
 * earliest pending delivery is due. A background scan of the live outbox: run by migration 6 and
 * by every worker at start.
 */
export async function logLiveDeliveries(onlyPending: boolean): Promise<{ logged: number; due: Map<string, number> }> {
  const live = new Map<string, string[]>();
  const due = new Map<string, number>();
  const filter = onlyPending ? { state: 'pending' as const } : {};
  for await (const d of deliveries().find(filter, { projection: { slot: 1, state: 1, nextAttemptAt: 1 } }).sort({ eventAt: 1 })) {
    live.set(d.slot, [...(live.get(d.slot) ?? []), d._id]);
    if (d.state === 'pending') due.set(d.slot, Math.min(due.get(d.slot) ?? Infinity, d.nextAttemptAt.getTime()));
  }
  let logged = 0;
  for (const [slot, ids] of live) {
    const known = new Set((await readSlot(slot)).entries.map((e) => e.delivery));
    for (const id of ids.filter((i) => !known.has(i))) {
      await logDelivery(slot, id);
      logged++;
    }
  }
  return { logged, due };
}

/** Migration 6: each course's graded links listed (from the slot records and the outbox), each live delivery logged. */
export async function rebuildGradeIndexes(): Promise<number> {
  const courses = new Map<string, { scope: { tenantId: string; courseId: string }; links: Set<string> }>();
  const fields = { projection: { tenantId: 1, courseId: 1, link: 1 } };
  const note = (r: { tenantId: string; courseId: string; link: { resourceLinkId: string } }) => {
    const id = JSON.stringify([r.tenantId, r.courseId]);
    const c = courses.get(id) ?? { scope: { tenantId: r.tenantId, courseId: r.courseId }, links: new Set<string>() };
    c.links.add(r.link.resourceLinkId);
    courses.set(id, c);
  };
  for await (const s of slots().find({}, fields)) note(s);
  for await (const d of deliveries().find({}, fields)) note(d);
  for (const c of courses.values()) await listLinks(c.scope, [...c.links]);
  return courses.size + (await logLiveDeliveries(false)).logged;
}
