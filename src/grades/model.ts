import mongoose, { Schema } from 'mongoose';
import { addExpiryRule } from '../db/expiry.js';

/**
 * The grade outbox. One document is one grade change for one learner in one gradebook column
 * (a *slot*) together with its delivery state, so both change in one write. Producers only insert;
 * after that only the worker holding the document's current claim writes to it (FerretDB v1 has no
 * atomic conditional update: two writers of one document could lose each other's fields). The
 * outbox holds live work only (pending and failed); what was last sent lives in the slot record,
 * read by `_id` (FerretDB v1 answers only `_id` lookups without a collection scan).
 */
export type DeliveryState = 'pending' | 'failed';

export interface ScoreToSend {
  given: number;
  maximum: number;
  activityProgress: 'Initialized' | 'Started' | 'InProgress' | 'Submitted' | 'Completed';
  gradingProgress: 'FullyGraded' | 'Pending' | 'PendingManual' | 'Failed' | 'NotReady';
  comment?: string;
}

/** Where the grade goes: the resource link and what its launch said about AGS. */
export interface GradeLinkRef {
  resourceLinkId: string;
  label: string;
  resourceId?: string;
  tag?: string;
  /** The launch's `lineitem` claim, or the one found or created later. */
  lineItemUrl?: string;
  lineItemsUrl?: string;
  /** AGS scopes in the launch's claim. */
  scopes: string[];
}

/** Whose grade it is and where it goes: what a grade change, its deliveries and its slot share. */
export interface GradeTarget {
  tenantId: string;
  courseId: string;
  issuer: string;
  clientId: string;
  sub: string;
  name?: string;
  link: GradeLinkRef;
}

/** The stored fields of a GradeTarget, with the platform key derived from issuer and client id. */
const targetFields = {
  tenantId: String,
  courseId: String,
  platformKey: String,
  issuer: String,
  clientId: String,
  sub: String,
  name: String,
  link: Schema.Types.Mixed,
};

export interface Delivery extends GradeTarget {
  /** `${slot}@${eventAt ms}`: unique per slot and event time, so timestamps never tie. */
  _id: string;
  slot: string;
  platformKey: string;
  score: ScoreToSend;
  /** When the grade changed; the latest event of a slot wins. */
  eventAt: Date;
  state: DeliveryState;
  /** failed: the LMS's message; pending: the last error, if any. */
  reason?: string;
  attempts: number;
  nextAttemptAt: Date;
  /** The score timestamp, fixed at the first attempt so every retry sends the same score. */
  timestamp?: string;
  /** After the LMS refused a score as not newer: the next timestamp must be later than this. */
  notBefore?: string;
  /** How often the LMS refused this grade as not newer. */
  conflicts?: number;
  createdAt: Date;
  updatedAt: Date;
}

const deliverySchema = new Schema<Delivery>(
  {
    _id: String,
    slot: String,
    ...targetFields,
    score: Schema.Types.Mixed,
    eventAt: Date,
    state: String,
    reason: String,
    attempts: Number,
    nextAttemptAt: Date,
    timestamp: String,
    notBefore: String,
    conflicts: Number,
    createdAt: Date,
    updatedAt: Date,
  },
  { versionKey: false },
);
// The worker's scan for work, a course's grades, admin totals, erasure.
deliverySchema.index({ state: 1, nextAttemptAt: 1 });
deliverySchema.index({ tenantId: 1, courseId: 1, sub: 1 });
deliverySchema.index({ tenantId: 1, sub: 1 });
export const Delivery = mongoose.model<Delivery>('GradeDelivery', deliverySchema, 'wf_grade_deliveries');
export const deliveries = () => Delivery.collection as unknown as mongoose.mongo.Collection<Delivery>;

/**
 * Per slot, what the LMS last acknowledged and where the slot stands. Written only by the worker
 * holding a claim on one of the slot's deliveries, and a slot has at most one attempt in flight,
 * so its writes are serialised. Test users' grades are recorded here as skipped.
 */
export type SlotState = 'sent' | 'failed' | 'skipped';

export interface GradeSlot extends GradeTarget {
  _id: string;
  platformKey: string;
  state: SlotState;
  reason?: string;
  /** The latest grade handled (sent, failed or skipped). */
  score: ScoreToSend;
  lastSent?: { score: ScoreToSend; timestamp: string; eventAt: Date; at: Date };
  /** The greatest score timestamp ever sent for the slot: the next must be later. */
  lastTimestamp?: string;
  /** Attempts the latest handled grade took. */
  attempts: number;
  /** Where the slot's log (slot_log.ts) starts: entries below name deliveries that are gone. */
  from?: number;
  updatedAt: Date;
}
const slotSchema = new Schema<GradeSlot>(
  {
    _id: String,
    ...targetFields,
    state: String,
    reason: String,
    score: Schema.Types.Mixed,
    lastSent: Schema.Types.Mixed,
    lastTimestamp: String,
    attempts: Number,
    from: Number,
    updatedAt: Date,
  },
  { versionKey: false },
);
slotSchema.index({ tenantId: 1, courseId: 1, sub: 1 });
slotSchema.index({ tenantId: 1, sub: 1 });
export const GradeSlot = mongoose.model<GradeSlot>('GradeSlot', slotSchema, 'wf_grade_slots');
export const slots = () => GradeSlot.collection as unknown as mongoose.mongo.Collection<GradeSlot>;

/**
 * Claims: a worker owns attempt N of a delivery by inserting `{_id: deliveryId#N}`; the unique
 * `_id` index lets exactly one insert succeed. Old claims are deleted by query.
 */
export interface Claim {
  _id: string;
  delivery: string;
  worker: string;
  at: Date;
}
const claimSchema = new Schema<Claim>(
  { _id: String, delivery: String, worker: String, at: Date },
  { versionKey: false },
);
claimSchema.index({ at: 1 });
export const Claim = mongoose.model<Claim>('GradeClaim', claimSchema, 'wf_grade_claims');
export const claims = () => Claim.collection as unknown as mongoose.mongo.Collection<Claim>;
addExpiryRule({ collection: 'wf_grade_claims', field: 'at', maxAgeSeconds: 2 * 24 * 3600 });

/**
 * Per resource link: how it is graded and the line item found for it. A cache and a setting,
 * rewritten whole by whoever learns something new; losing a race only costs a repeated lookup.
 */
export type GradingRule = { kind: 'mastery'; k: number; n: number } | { kind: 'points' };

export interface GradeLink {
  _id: string;
  tenantId: string;
  courseId: string;
  resourceLinkId: string;
  rule?: GradingRule;
  lineItemUrl?: string;
  /** Line item URLs that answered 404: launches may still carry them in their claim. */
  goneUrls?: string[];
  /** Label and maximum last written to (or found in) the LMS. */
  synced?: { label: string; scoreMaximum: number };
  updatedAt: Date;
}
const linkSchema = new Schema<GradeLink>(
  {
    _id: String,
    tenantId: String,
    courseId: String,
    resourceLinkId: String,
    rule: Schema.Types.Mixed,
    lineItemUrl: String,
    goneUrls: [String],
    synced: Schema.Types.Mixed,
    updatedAt: Date,
  },
  { versionKey: false },
);
linkSchema.index({ tenantId: 1, courseId: 1 });
export const GradeLink = mongoose.model<GradeLink>('GradeLink', linkSchema, 'wf_grade_links');
