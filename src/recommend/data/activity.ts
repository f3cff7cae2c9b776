import mongoose from 'mongoose';
import type { HistoryEntry } from '../../activity/index.js';
import { searchItems } from '../../content/catalog.js';
import type { Item } from '../../content/format.js';
import { datasetFromInteractions, type Dataset, type Interaction, type InteractionRow, type ItemRef } from './interactions.js';

/**
 * The production data path: the activity log (statements) → interactions, the same shapes the
 * benchmark files load into, so training, evaluation and serving share one code path afterwards.
 * Preview statements (teachers, LMS test users) never get here: the activity queries leave them out.
 */

/** Item types whose answers are graded: only these make interactions (readings and videos are completed, not answered). */
export const isGraded = (item: Pick<Item, 'type'>) => item.type === 'multiple_choice' || item.type === 'numeric' || item.type === 'short_text';

/** How the models see a content item: id, skills and one cheap content feature (authored difficulty, 0.5 when absent). */
export function itemRef(item: Pick<Item, 'id' | 'skills' | 'difficulty'>): ItemRef {
  return { itemId: item.id, skills: item.skills, features: [item.difficulty ?? 0.5] };
}

/** The statement fields the recommender reads: stored statements, and the simulator's statements, have them. */
export type StatementLike = Pick<HistoryEntry, 'verb' | 'object' | 'result'> & { skills?: string[] };

/** A learner's graded answers, in order; items no longer in the library keep their id and lose their skills. */
export function interactionsFromHistory(history: readonly StatementLike[], items: Map<string, Item>): Interaction[] {
  return history
    .filter((s) => s.verb === 'answered' && s.object.kind === 'item' && typeof s.result?.success === 'boolean')
    .map((s) => {
      const item = items.get(s.object.id);
      return { ...(item ? itemRef(item) : { itemId: s.object.id, skills: s.skills ?? [] }), correct: s.result!.success! };
    });
}

/**
 * Reads of the activity log across learners. The activity area's public queries are per learner
 * (`learnerHistory`), and one query per learner is minutes on FerretDB v1 for a class of a few
 * hundred (each sorted read scans the course); until the activity area exports a course-wide
 * reader, these read its collection directly: one indexed field for the course list, one sorted
 * query per course for the answers, preview statements excluded as everywhere.
 */
const statements = () => mongoose.connection.collection<HistoryEntry>('wf_statements');

async function coursesWithActivity(tenantId: string): Promise<string[]> {
  const ids = await statements().distinct('courseId', { tenantId, preview: false });
  return ids.map(String).sort();
}

async function* courseAnswers(tenantId: string, courseId: string): AsyncGenerator<HistoryEntry> {
  const cursor = statements()
    .find({ tenantId, courseId, preview: false, verb: 'answered', 'object.kind': 'item' }, { projection: { sub: 1, verb: 1, object: 1, result: 1, timestamp: 1, stored: 1 } })
    .sort({ timestamp: 1, stored: 1 });
  try {
    for await (const s of cursor) yield s;
  } finally {
    await cursor.close();
  }
}

/** Every (non-preview) learner's answers in a course, or in every course of the tenant when `courseId` is absent. */
export async function datasetFromActivity(scope: { tenantId: string; courseId?: string }): Promise<Dataset> {
  const courses = scope.courseId ? [scope.courseId] : await coursesWithActivity(scope.tenantId);
  const rows: InteractionRow[] = [];
  for (const courseId of courses) {
    const items = new Map((await searchItems({ tenantId: scope.tenantId, courseId })).map((i) => [i.id, i]));
    for await (const s of courseAnswers(scope.tenantId, courseId)) {
      // A learner is one task per course: the same person in two courses is two learners.
      for (const x of interactionsFromHistory([s], items)) rows.push({ ...x, learnerId: `${courseId}/${s.sub}` });
    }
  }
  return datasetFromInteractions(scope.courseId ? `course ${scope.courseId}` : `tenant ${scope.tenantId}`, rows);
}
