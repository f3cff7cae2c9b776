import mongoose, { Schema } from 'mongoose';
import type { ItemHtml } from './rendering.js';

/**
 * Content storage, shaped for FerretDB v1 (no transactions): an import writes its version document,
 * then every record of the new version, packed into bundle chunks under ids fixed before writing,
 * then switches the one pointer document of its scope. Readers follow the pointer, so they see the old version or the
 * new one, never half of either. A scope is a tenant's shared library (`courseId: ''`) or one course.
 */
export type EntryKind = 'skill' | 'item' | 'pathway';

export interface ContentEntry {
  _id: string; // `${versionId}/${kind}/${id}`
  tenantId: string;
  courseId: string;
  versionId: string;
  kind: EntryKind;
  id: string;
  doc: Record<string, unknown>;
  /** Items: the sanitised HTML of their Markdown, rendered when the version was written. */
  html?: ItemHtml;
}

export interface ContentVersion {
  _id: string;
  tenantId: string;
  courseId: string;
  source: string;
  counts: { skills: number; items: number; pathways: number };
  createdAt: Date;
  /**
   * How many bundle chunks (`wf_content_bundles`, `_id` `${versionId}/${n}`) hold the version's
   * records; absent on versions written before bundles, whose records are entries.
   */
  bundleChunks?: number;
}

/** Part of a version's records as one JSON string (FerretDB reads one string far faster than many documents). */
export interface ContentBundleChunk {
  _id: string; // `${versionId}/${n}`
  tenantId: string;
  records: string;
}

export interface ContentPointer {
  _id: string; // scopeKey()
  tenantId: string;
  courseId: string;
  versionId: string;
  /** Kept readable for a while: a reader that followed the old pointer may still be loading it. */
  previousVersionId?: string;
  updatedAt: Date;
}

const entrySchema = new Schema<ContentEntry>(
  { _id: String, tenantId: String, courseId: String, versionId: String, kind: String, id: String, doc: Schema.Types.Mixed, html: Schema.Types.Mixed },
  { versionKey: false },
);
entrySchema.index({ tenantId: 1, courseId: 1, versionId: 1 });

const versionSchema = new Schema<ContentVersion>(
  { _id: String, tenantId: String, courseId: String, source: String, counts: Schema.Types.Mixed, createdAt: Date, bundleChunks: Number },
  { versionKey: false },
);
versionSchema.index({ tenantId: 1, courseId: 1, createdAt: -1 });

const pointerSchema = new Schema<ContentPointer>(
  { _id: String, tenantId: String, courseId: String, versionId: String, previousVersionId: String, updatedAt: Date },
  { versionKey: false },
);
pointerSchema.index({ tenantId: 1 });

export const Entry = mongoose.model<ContentEntry>('ContentEntry', entrySchema, 'wf_content_entries');
export const Version = mongoose.model<ContentVersion>('ContentVersion', versionSchema, 'wf_content_versions');
export const Pointer = mongoose.model<ContentPointer>('ContentPointer', pointerSchema, 'wf_content_pointers');
export const bundleChunks = () => mongoose.connection.collection<ContentBundleChunk>('wf_content_bundles');
export const bundleChunkId = (versionId: string, n: number) => `${versionId}/${n}`;

export interface Scope {
  tenantId: string;
  /** Empty for the tenant's shared library. */
  courseId?: string;
}

export const scopeKey = (s: Scope) => `${s.tenantId}/${s.courseId || '*'}`;
