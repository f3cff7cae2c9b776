/**
 * What each area holds about a learner, for data requests. An area registers a reader here at
 * start (see `areas.ts`); erasure goes through the activity area's `onLearnerErased` hooks.
 */
export type LearnerRecordReader = (tenantId: string, sub: string) => Promise<unknown[]>;

const readers = new Map<string, LearnerRecordReader>();

/** One reader per kind of record; registering a kind again replaces it (tools restart in tests). */
export function onLearnerExport(kind: string, read: LearnerRecordReader): void {
  readers.set(kind, read);
}

export function learnerRecordKinds(): string[] {
  return [...readers.keys()];
}

export interface LearnerExport {
  format: 'wayfinder-learner-export/1';
  tenantId: string;
  sub: string;
  exportedAt: string;
  /** Kind of record → every record of that kind, as its area keeps it. */
  records: Record<string, unknown[]>;
}

/** Everything Wayfinder holds about one learner in one tenant, read area by area. */
export async function exportLearner(tenantId: string, sub: string): Promise<LearnerExport> {
  if (!tenantId || !sub) throw new Error('exportLearner needs both tenantId and sub');
  const kinds = [...readers];
  const lists = await Promise.all(kinds.map(([, read]) => read(tenantId, sub)));
  return {
    format: 'wayfinder-learner-export/1',
    tenantId,
    sub,
    exportedAt: new Date().toISOString(),
    records: Object.fromEntries(kinds.map(([kind], i) => [kind, lists[i]])),
  };
}
