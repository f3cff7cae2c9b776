import { csvCell } from '../web/csv.js';
import type { StoredStatement } from './model.js';

export const CSV_COLUMNS = [
  'id',
  'timestamp',
  'stored',
  'tenant_id',
  'course_id',
  'issuer',
  'sub',
  'verb',
  'object_kind',
  'object_id',
  'success',
  'score_scaled',
  'response',
  'duration',
  'result_extensions',
  'recommendation_id',
  'context_extensions',
  'resource_link_id',
  'launch_id',
  'preview',
] as const;

export const csvHeader = () => CSV_COLUMNS.join(',') + '\r\n';

export function toCsvRow(s: StoredStatement): string {
  const values: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    id: s._id,
    timestamp: s.timestamp,
    stored: s.stored,
    tenant_id: s.tenantId,
    course_id: s.courseId,
    issuer: s.issuer,
    sub: s.sub,
    verb: s.verb,
    object_kind: s.object.kind,
    object_id: s.object.id,
    success: s.result?.success,
    score_scaled: s.result?.score?.scaled,
    response: s.result?.response,
    duration: s.result?.duration,
    result_extensions: s.result?.extensions,
    recommendation_id: s.context.recommendationId,
    context_extensions: s.context.extensions,
    resource_link_id: s.context.resourceLinkId,
    launch_id: s.context.launchId,
    preview: s.preview,
  };
  return CSV_COLUMNS.map((c) => csvCell(values[c])).join(',') + '\r\n';
}
