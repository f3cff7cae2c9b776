import { courseRecords, courseStatements, coursesWithActivity, type HistoryEntry } from '../../activity/index.js';
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

/** Every (non-preview) learner's answers in a course, or in every course of the tenant when `courseId` is absent. */
export async function datasetFromActivity(scope: { tenantId: string; courseId?: string }): Promise<Dataset> {
  const courses = scope.courseId ? [scope.courseId] : await coursesWithActivity(scope.tenantId);
  const rows: InteractionRow[] = [];
  for (const courseId of courses) {
    const items = new Map((await searchItems({ tenantId: scope.tenantId, courseId })).map((i) => [i.id, i]));
    // One pass over the course (not a query per learner: each is a scan on FerretDB v1), then in time order.
    const answers: HistoryEntry[] = [];
    for await (const s of courseStatements({ tenantId: scope.tenantId, courseId }, { verbs: ['answered'] })) answers.push(s);
    answers.sort((a, b) => +a.timestamp - +b.timestamp || +a.stored - +b.stored);
    for (const s of answers) {
      // A learner is one task per course: the same person in two courses is two learners.
      for (const x of interactionsFromHistory([s], items)) rows.push({ ...x, learnerId: `${courseId}/${s.sub}` });
    }
  }
  return datasetFromInteractions(scope.courseId ? `course ${scope.courseId}` : `tenant ${scope.tenantId}`, rows);
}

/**
 * A course's answers from its learner states (by `_id`; each holds a learner's latest answers and one
 * summary per older item): what a request path may read. Training reads the whole log instead.
 */
export async function datasetFromLearnerStates(scope: { tenantId: string; courseId: string }, courseItems: Item[]): Promise<Dataset> {
  const items = new Map(courseItems.map((i) => [i.id, i]));
  const rows: InteractionRow[] = [];
  for (const { sub, history } of await courseRecords(scope)) {
    for (const x of interactionsFromHistory(history, items)) rows.push({ ...x, learnerId: `${scope.courseId}/${sub}` });
  }
  return datasetFromInteractions(`course ${scope.courseId}`, rows);
}
