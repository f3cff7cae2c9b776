import mongoose, { Schema } from 'mongoose';
import type { CourseScope } from '../activity/index.js';
import { recordOverrideStatement } from '../content/overrides.js';
import type { LaunchContext } from '../lti/session.js';
import { AppError } from '../web/errors.js';
import { learnerSlots } from './course_links.js';
import type { GradeLinkRef, ScoreToSend } from './model.js';
import { readSlot } from './slot_log.js';
import { slotOf, submitGrade, type GradeChange } from './submit.js';

/**
 * A teacher's grade for one learner in one gradebook column (resource link), which stands over
 * the evidence-based grade until reverted. Both directions go through the outbox: setting queues
 * the teacher's score, reverting queues the evidence-based grade again, later than the override.
 * While it stands, the learner's activity still computes their evidence-based grade, but that is
 * withheld (kept aside, not sent), so a revert sends the newest evidence.
 *
 * FerretDB v1 has no atomic conditional update, so each document has one kind of writer: the
 * override (`wf_grade_overrides`, one per slot, `_id` from the slot) is written only by teachers,
 * the withheld grade (`wf_grade_withheld`, `_id` the slot) only by the learner's grading. The
 * races between them are closed by the order of reads and writes (see `submitRespectingOverride`).
 */
type Person = { sub: string; name: string };
/** A grade change without its event time: what is sent, and to whom, where. */
type Grade = Omit<GradeChange, 'eventAt'>;

interface GradeOverrideDoc {
  _id: string;
  kind: 'grade';
  slot: string;
  tenantId: string;
  courseId: string;
  /** The learner's sub (named like the pin and skip overrides' field). */
  learner: string;
  resourceLinkId: string;
  /** The gradebook column's label. */
  label: string;
  score: number;
  maximum: number;
  by: Person;
  createdAt: Date;
  revertedAt?: Date;
  revertedBy?: Person;
  /** The evidence-based grade when the override was set: sent again on revert unless newer evidence was withheld. */
  evidence: Grade;
}

/** What teachers and the API see of a grade override. */
export type GradeOverride = Omit<GradeOverrideDoc, 'slot' | 'evidence'>;

interface WithheldGrade {
  _id: string;
  tenantId: string;
  sub: string;
  grade: Grade;
  heldAt: Date;
}

const overrideSchema = new Schema<GradeOverrideDoc>(
  {
    _id: String,
    kind: String,
    slot: String,
    tenantId: String,
    courseId: String,
    learner: String,
    resourceLinkId: String,
    label: String,
    score: Number,
    maximum: Number,
    by: Schema.Types.Mixed,
    createdAt: Date,
    revertedAt: Date,
    revertedBy: Schema.Types.Mixed,
    evidence: Schema.Types.Mixed,
  },
  { versionKey: false },
);
overrideSchema.index({ tenantId: 1, courseId: 1, learner: 1 });
overrideSchema.index({ tenantId: 1, learner: 1 });
const GradeOverrides = mongoose.model<GradeOverrideDoc>('GradeOverride', overrideSchema, 'wf_grade_overrides');
const overrides = () => GradeOverrides.collection as unknown as mongoose.mongo.Collection<GradeOverrideDoc>;

const withheldSchema = new Schema<WithheldGrade>(
  { _id: String, tenantId: String, sub: String, grade: Schema.Types.Mixed, heldAt: Date },
  { versionKey: false },
);
withheldSchema.index({ tenantId: 1, sub: 1 });
const Withheld = mongoose.model<WithheldGrade>('WithheldGrade', withheldSchema, 'wf_grade_withheld');
const withheld = () => Withheld.collection as unknown as mongoose.mongo.Collection<WithheldGrade>;

const PREFIX = 'grade-';
const idOf = (slot: string) => PREFIX + slot;
/** Grade overrides' ids (`grade-` and the slot id), told apart from pin and skip overrides' UUIDs. */
export const isGradeOverrideId = (id: string) => /^grade-s_[A-Za-z0-9_-]{22}$/.test(id);

const who = (launch: LaunchContext): Person => ({ sub: launch.sub, name: launch.name });
const view = ({ slot: _s, evidence: _e, ...o }: GradeOverrideDoc): GradeOverride => o;
const gradeOf = ({ eventAt: _e, ...g }: GradeChange): Grade => g;
const standing = async (slot: string) => {
  const o = await overrides().findOne({ _id: idOf(slot) });
  return o && !o.revertedAt ? o : undefined;
};

/** The score the LMS gets for an override: the teacher's points, the learner's progress as it was. */
const overrideScore = (o: GradeOverrideDoc): ScoreToSend => ({
  given: o.score,
  maximum: o.maximum,
  activityProgress: o.evidence.score.activityProgress,
  gradingProgress: 'FullyGraded',
});

/** The newest grade Wayfinder computed for a slot: a live delivery newer than what was sent, else the slot record. */
async function latestGrade(sub: string, slot: string): Promise<Grade | undefined> {
  const { record, docs } = await readSlot(slot);
  const newest = docs.at(-1);
  const sentAt = record?.lastSent ? new Date(record.lastSent.eventAt).getTime() : -1;
  const from = newest && newest.eventAt.getTime() > sentAt ? newest : record;
  if (!from) return undefined;
  if (from === record && record.state === 'skipped')
    throw new AppError('CONFLICT', `no grade is ever sent for ${sub} here (${record.reason ?? 'skipped'}), so there is none to override`);
  const { tenantId, courseId, issuer, clientId, name, link, score } = from;
  return { tenantId, courseId, issuer, clientId, sub, ...(name ? { name } : {}), link, score };
}

/** The evidence a revert would send: withheld during this override if any, else what it replaced. */
async function evidenceFor(o: GradeOverrideDoc): Promise<Grade> {
  const held = await withheld().findOne({ _id: o.slot });
  return held && held.heldAt > o.createdAt ? held.grade : o.evidence;
}

/** What the column grades (`pathway:<id>` or `item:<id>`), as the statement's object. */
const objectOf = (link: GradeLinkRef): { id: string; kind: 'pathway' | 'item' } => {
  const [kind, id] = (link.resourceId ?? '').split(':');
  return kind === 'item' ? { kind, id } : { kind: 'pathway', id: kind === 'pathway' ? id : link.resourceLinkId };
};

async function record(teacher: LaunchContext, o: GradeOverrideDoc, action: 'set' | 'revert'): Promise<void> {
  await recordOverrideStatement(teacher, { ...o, object: objectOf(o.evidence.link) }, action, {
    resourceLinkId: o.resourceLinkId,
    score: o.score,
    maximum: o.maximum,
  });
}

/**
 * Overrides a learner's grade in a gradebook column of the launched teacher's course and queues
 * it for the LMS. The learner must already have a grade there (the column and its line item are
 * known from it). Setting it again replaces the score and keeps the evidence the first one replaced.
 */
export async function setGradeOverride(
  teacher: LaunchContext,
  input: { learner: string; resourceLinkId: string; score: number },
): Promise<GradeOverride> {
  const scope = { tenantId: teacher.tenantId, courseId: teacher.courseId };
  const slot = slotOf({ ...scope, sub: input.learner, resourceLinkId: input.resourceLinkId });
  const previous = await standing(slot);
  const evidence = previous ? await evidenceFor(previous) : await latestGrade(input.learner, slot);
  if (!evidence)
    throw new AppError(
      'NOT_FOUND',
      `${input.learner} has no grade in resource link ${input.resourceLinkId} of this course yet: a grade can be overridden once Wayfinder has graded their work there`,
    );
  const o: GradeOverrideDoc = {
    _id: idOf(slot),
    kind: 'grade',
    slot,
    ...scope,
    learner: input.learner,
    resourceLinkId: input.resourceLinkId,
    label: evidence.link.label,
    score: Math.round(Math.min(evidence.score.maximum, Math.max(0, input.score)) * 100) / 100,
    maximum: evidence.score.maximum,
    by: who(teacher),
    createdAt: new Date(),
    evidence,
  };
  await overrides().replaceOne({ _id: o._id }, o, { upsert: true });
  await record(teacher, o, 'set');
  await submitGrade({ ...evidence, score: overrideScore(o), eventAt: o.createdAt });
  return view(o);
}

/**
 * Reverts a grade override of the teacher's course and queues the evidence-based grade again,
 * timed at the revert so it is newer than the override. Undefined when there is no such override.
 */
export async function revertGradeOverride(teacher: LaunchContext, id: string): Promise<GradeOverride | undefined> {
  // By `_id` alone (a second field makes FerretDB v1 scan), then checked to be of this course.
  const o = await overrides().findOne({ _id: id });
  if (!o || o.tenantId !== teacher.tenantId || o.courseId !== teacher.courseId) return undefined;
  if (o.revertedAt) return view(o);
  const reverted: GradeOverrideDoc = { ...o, revertedAt: new Date(), revertedBy: who(teacher) };
  // Marked first: the learner's grading reads the mark after withholding, and sends what this misses.
  await overrides().replaceOne({ _id: o._id }, reverted);
  await record(teacher, reverted, 'revert');
  await submitGrade({ ...(await evidenceFor(reverted)), eventAt: reverted.revertedAt });
  return view(reverted);
}

/**
 * Queues an evidence-based grade unless a teacher's override stands for the slot; then it is
 * withheld for a later revert. Each side writes first and reads the other after, so whichever
 * comes second sees the first: an override set while this grade was queued is queued again
 * after it, and a revert that missed this withheld grade has it sent here.
 */
export async function submitRespectingOverride(c: GradeChange): Promise<'queued' | 'overridden'> {
  const slot = slotOf({ ...c, resourceLinkId: c.link.resourceLinkId });
  const hold = () =>
    withheld().replaceOne({ _id: slot }, { tenantId: c.tenantId, sub: c.sub, grade: gradeOf(c), heldAt: new Date() }, { upsert: true });
  if (await standing(slot)) {
    await hold();
    if (await standing(slot)) return 'overridden';
    await submitGrade(c);
    return 'queued';
  }
  await submitGrade(c);
  const o = await standing(slot);
  if (!o) return 'queued';
  await hold();
  await submitGrade({ ...o.evidence, score: overrideScore(o) });
  return 'overridden';
}

/** The score to send instead of a slot's grade while an override stands (a retry of an old failure must not undo it). */
export async function overriddenScore(slot: string): Promise<ScoreToSend | undefined> {
  const o = await standing(slot);
  return o ? overrideScore(o) : undefined;
}

/** A course's grade overrides, newest first: all, one learner's (by `_id`, one per slot), or only those standing. */
export async function listGradeOverrides(
  scope: CourseScope,
  o: { learner?: string; activeOnly?: boolean } = {},
): Promise<GradeOverride[]> {
  if (o.learner) {
    const slotIds = await learnerSlots(scope, o.learner);
    const found = await Promise.all(slotIds.map((slot) => overrides().findOne({ _id: idOf(slot) })));
    return found
      .filter((f): f is GradeOverrideDoc => f !== null && !(o.activeOnly && f.revertedAt))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map(view);
  }
  const found = await overrides()
    .find({
      tenantId: scope.tenantId,
      courseId: scope.courseId,
      ...(o.activeOnly ? { revertedAt: { $exists: false } } : {}),
    })
    .sort({ createdAt: -1 })
    .toArray();
  return found.map(view);
}

/** Data requests: a learner's grade overrides in every course of the tenant, with any grade withheld under them. */
export async function learnerGradeOverrides(tenantId: string, sub: string): Promise<unknown[]> {
  const [mine, held] = await Promise.all([
    overrides().find({ tenantId, learner: sub }).sort({ createdAt: 1 }).toArray(),
    withheld().find({ tenantId, sub }).toArray(),
  ]);
  const heldBySlot = new Map(held.map((h) => [h._id, h]));
  return mine.map((o) => {
    const h = heldBySlot.get(o.slot);
    return { ...o, ...(h ? { withheld: { grade: h.grade, heldAt: h.heldAt } } : {}) };
  });
}

export async function eraseLearnerGradeOverrides(tenantId: string, sub: string): Promise<void> {
  await overrides().deleteMany({ tenantId, learner: sub });
  await withheld().deleteMany({ tenantId, sub });
}
