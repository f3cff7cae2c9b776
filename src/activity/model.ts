import mongoose, { Schema } from 'mongoose';
import type { Verb } from './verbs.js';

export type ObjectKind = 'item' | 'pathway' | 'skill';

/** xAPI `result`, as a producer sends it and as it is stored. */
export interface StatementResult {
  success?: boolean;
  score?: { scaled: number };
  response?: string;
  duration?: string;
  extensions?: Record<string, unknown>;
}

/**
 * One learner statement, shaped after xAPI 1.0.3: the actor is the LTI `sub` within its tenant
 * (an `account` whose homePage is the platform issuer), never an e-mail. `_id` is the statement
 * id, so the unique `_id` index is what makes a retried write idempotent.
 */
export interface StoredStatement {
  _id: string;
  tenantId: string;
  courseId: string;
  /** actor.account.homePage */
  issuer: string;
  /** actor.account.name */
  sub: string;
  verb: Verb;
  object: { id: string; kind: ObjectKind };
  result?: StatementResult;
  context: {
    resourceLinkId?: string;
    launchId: string;
    recommendationId?: string;
    extensions?: Record<string, unknown>;
  };
  /** When it happened, by the client's clock. */
  timestamp: Date;
  /** When the server stored it; retention counts from here. */
  stored: Date;
  /** UTC `YYYY-MM-DD` of `timestamp`: FerretDB v1 has no date operators, so we group by a stored day. */
  day: string;
  /** Teacher previews and LMS test users: kept for audit, left out of dashboards, grades and models. */
  preview: boolean;
}

const statementSchema = new Schema<StoredStatement>(
  {
    _id: String,
    tenantId: { type: String, required: true },
    courseId: { type: String, required: true },
    issuer: { type: String, required: true },
    sub: { type: String, required: true },
    verb: { type: String, required: true },
    object: { id: String, kind: String },
    result: Schema.Types.Mixed,
    context: Schema.Types.Mixed,
    timestamp: { type: Date, required: true },
    stored: { type: Date, required: true },
    day: { type: String, required: true },
    preview: { type: Boolean, required: true },
  },
  { versionKey: false },
);
// A learner's last activity (lastActivityPerLearner).
statementSchema.index({ tenantId: 1, courseId: 1, sub: 1, timestamp: 1, stored: 1 });
// Per-course aggregates by day and the course export.
statementSchema.index({ tenantId: 1, courseId: 1, day: 1 });
// Erasure removes a learner across every course of the tenant.
statementSchema.index({ tenantId: 1, sub: 1 });
// The retention purge deletes by age.
statementSchema.index({ stored: 1 });

export const Statement = mongoose.model<StoredStatement>('Statement', statementSchema, 'wf_statements');

/** The raw driver collection: ingest and export use it directly (no document hydration). */
export const statements = () => Statement.collection as unknown as mongoose.mongo.Collection<StoredStatement>;
