import { createHash } from 'node:crypto';
import mongoose from 'mongoose';

/**
 * Slots and where to find a learner's. A slot is one learner in one gradebook column (resource
 * link) of one course, its `_id` derived from them. Per course, the resource links it has grades
 * in are listed (one document, `_id` from the course), so a learner's slots are computed and read
 * by `_id` — the teacher's drill-down and "Send failed grades again" scan no outbox. A link is
 * listed before anything is written for it and never unlisted; migration 6 lists what older
 * versions wrote.
 */
type Scope = { tenantId: string; courseId: string };

const digest = (parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 22);

/** One learner in one gradebook column (resource link) of one course. */
export const slotOf = (c: Scope & { sub: string; resourceLinkId: string }) => 's_' + digest([c.tenantId, c.courseId, c.resourceLinkId, c.sub]);

interface CourseLinks extends Scope {
  _id: string;
  links: string[];
}
const lists = () => mongoose.connection.collection<CourseLinks>('wf_grade_course_links');
const listId = (s: Scope) => `gc/${s.tenantId}/${s.courseId}`;

/** Links this process knows are listed (a listed link stays listed). */
const listed = new Set<string>();
/** One write at a time per list in this process (FerretDB v1 updates are read-then-write). */
const writes = new Map<string, Promise<void>>();

export async function listLinks(scope: Scope, links: string[]): Promise<void> {
  const _id = listId(scope);
  const missing = links.filter((l) => !listed.has(`${_id}\n${l}`));
  if (!missing.length) return;
  const write = (writes.get(_id) ?? Promise.resolve())
    .catch(() => undefined)
    .then(async () => {
      const have = (await lists().findOne({ _id }))?.links ?? [];
      const add = missing.filter((l) => !have.includes(l));
      if (add.length) await lists().updateOne({ _id }, { $addToSet: { links: { $each: add } }, $setOnInsert: { tenantId: scope.tenantId, courseId: scope.courseId } }, { upsert: true });
      if (listed.size > 100_000) listed.clear();
      for (const l of missing) listed.add(`${_id}\n${l}`);
    });
  writes.set(_id, write);
  try {
    await write;
  } finally {
    if (writes.get(_id) === write) writes.delete(_id);
  }
}

/** A learner's slots in a course: one per listed link. */
export async function learnerSlots(scope: Scope, sub: string): Promise<string[]> {
  const links = (await lists().findOne({ _id: listId(scope) }))?.links ?? [];
  return links.map((resourceLinkId) => slotOf({ ...scope, sub, resourceLinkId }));
}
