import { createHash } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { log } from '../log.js';
import type { LaunchContext } from '../lti/session.js';
import { courseId as courseIdOf } from '../lti/tenancy.js';
import type { ContentFile } from './format.js';
import { Pointer, scopeKey, type ContentPointer } from './model.js';
import { scopeContent, writeVersion } from './store.js';

/**
 * Course copy. A teacher copies last term's course in the LMS; the new course's launches carry
 * `context_id_history` (the contexts it was copied from, signed by the platform), and the source
 * courses' own content (skills, items, pathways with their settings — never learner data) is
 * copied into the new course once, and the mapping is recorded. Only courses the claim names are
 * sources: a link naming a pathway of some other course of the tenant copies nothing (issue 14,
 * finding 8: that copied another course's whole content, answer keys included).
 *
 * FerretDB v1 has no transactions: the copy is written as a content version under an id fixed
 * from (target, source, source version) before writing, then the course's pointer is switched,
 * then the mapping is inserted under a unique id. A retry or a concurrent launch writes the same
 * records again (repeats are skipped), and once the mapping exists no launch copies again.
 */
export interface CourseCopy {
  _id: string; // `${courseId}<${sourceCourseId}`
  tenantId: string;
  courseId: string;
  sourceCourseId: string;
  /** `resource_link` only on copies made before finding 8 was closed. */
  via: 'context_id_history' | 'resource_link';
  /** The content version written into the new course. */
  versionId: string;
  counts: { skills: number; items: number; pathways: number };
  copiedAt: Date;
}

const copySchema = new Schema<CourseCopy>(
  { _id: String, tenantId: String, courseId: String, sourceCourseId: String, via: String, versionId: String, counts: Schema.Types.Mixed, copiedAt: Date },
  { versionKey: false },
);
copySchema.index({ tenantId: 1, courseId: 1 });
const Copy = mongoose.model<CourseCopy>('CourseCopy', copySchema, 'wf_course_copies');

const copyId = (courseId: string, source: string) => `${courseId}<${source}`;
const digest = (parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 16);

/** The copies recorded for a course (what it was copied from, and when). */
export async function courseCopies(scope: { tenantId: string; courseId: string }): Promise<CourseCopy[]> {
  return Copy.find({ tenantId: scope.tenantId, courseId: scope.courseId }).sort({ copiedAt: 1 }).lean<CourseCopy[]>();
}

/** The source's records the course does not have yet (a course record of the same id wins). */
function merged(own: ContentFile, source: ContentFile): ContentFile {
  const add = <T extends { id: string }>(mine: T[], theirs: T[]) => [...mine, ...theirs.filter((r) => !mine.some((m) => m.id === r.id))];
  return { ...own, skills: add(own.skills, source.skills), items: add(own.items, source.items), pathways: add(own.pathways, source.pathways) };
}

/** Copies one source course's content into a course, once. Returns whether anything was copied now. */
export async function copyCourseContent(
  tenantId: string,
  courseId: string,
  sourceCourseId: string,
): Promise<boolean> {
  if (sourceCourseId === courseId || (await Copy.exists({ _id: copyId(courseId, sourceCourseId) }))) return false;
  const sourcePointer = await Pointer.findById(scopeKey({ tenantId, courseId: sourceCourseId })).lean<ContentPointer>();
  if (!sourcePointer) return false; // the source course had no content of its own
  const [own, source] = await Promise.all([scopeContent({ tenantId, courseId }), scopeContent({ tenantId, courseId: sourceCourseId })]);
  const versionId = `v_copy_${digest([courseId, sourceCourseId, sourcePointer.versionId])}`;
  await writeVersion({ tenantId, courseId }, merged(own, source), `course copy of ${sourceCourseId}`, versionId);
  const counts = { skills: source.skills.length, items: source.items.length, pathways: source.pathways.length };
  await Copy.create({ _id: copyId(courseId, sourceCourseId), tenantId, courseId, sourceCourseId, via: 'context_id_history', versionId, counts, copiedAt: new Date() }).catch(
    (err: { code?: number }) => {
      if (err.code !== 11000) throw err; // another launch recorded the same copy first
    },
  );
  log.info({ tenantId, courseId, sourceCourseId, ...counts }, 'course content copied');
  return true;
}

/**
 * The launch's part: copy from the courses in `context_id_history` (nearest first). Returns
 * whether content was copied now (the caller then resolves its target again).
 */
export async function copyForLaunch(launch: LaunchContext): Promise<boolean> {
  const history = (launch.contextIdHistory ?? []).map((ctx) => courseIdOf(launch.tenantId, ctx));
  let copied = false;
  for (const source of history) copied = (await copyCourseContent(launch.tenantId, launch.courseId, source)) || copied;
  return copied;
}
