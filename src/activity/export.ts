import { statements, type StoredStatement } from './model.js';
import { requireScope, type CourseScope } from './scope.js';
import { csvHeader, toCsvRow } from './csv.js';
import { toXapi } from './xapi.js';

export const EXPORT_FORMATS = ['ndjson', 'csv', 'xapi'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const exportMedia: Record<ExportFormat, { type: string; extension: string }> = {
  ndjson: { type: 'application/x-ndjson', extension: 'ndjson' },
  csv: { type: 'text/csv', extension: 'csv' },
  xapi: { type: 'application/json', extension: 'xapi.json' },
};

/** ndjson lines use the API's field names: `id`, not the storage `_id`. */
function toRecord({ _id, ...rest }: StoredStatement): Record<string, unknown> {
  return { id: _id, ...rest };
}

/**
 * A course's statements as text chunks, read through a cursor in storage order: no sort, so
 * neither MongoDB nor FerretDB holds the course in memory (constant memory on 1M statements).
 * `xapi` is a JSON array of xAPI 1.0.3 statements, which an LRS accepts as one POST.
 */
export async function* exportStatements(scope: CourseScope, format: ExportFormat, publicUrl: string): AsyncGenerator<string> {
  const { tenantId, courseId } = requireScope(scope);
  const cursor = statements().find<StoredStatement>({ tenantId, courseId }, { batchSize: 1000 });
  let first = true;
  if (format === 'csv') yield csvHeader();
  if (format === 'xapi') yield '[';
  try {
    for await (const s of cursor) {
      if (format === 'csv') yield toCsvRow(s);
      else if (format === 'ndjson') yield JSON.stringify(toRecord(s)) + '\n';
      else yield `${first ? '\n' : ',\n'}${JSON.stringify(toXapi(s, publicUrl))}`;
      first = false;
    }
  } finally {
    await cursor.close();
  }
  if (format === 'xapi') yield '\n]\n';
}
