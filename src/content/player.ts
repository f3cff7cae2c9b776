import { recordForLaunch, type StatementInput } from '../activity/index.js';
import { gradeAfterActivity } from '../grades/index.js';
import type { LaunchContext } from '../lti/session.js';
import { findItem, findPathway, listPathways } from './catalog.js';
import { copyForLaunch } from './course_copy.js';
import { CUSTOM } from './deep_link.js';
import type { Item, Pathway } from './format.js';
import type { Scope } from './model.js';
import { itemsDone, nextUp, type NextUp } from './next_up.js';
import { scoreResponse, type Outcome, type Response } from './scoring.js';

/**
 * What the player does, apart from pages: resolve what a launch opens, check answers, record
 * statements through the activity area, and ask `nextUp`.
 */
export const scopeOf = (launch: LaunchContext): Scope => ({ tenantId: launch.tenantId, courseId: launch.courseId });

export type Target =
  | { kind: 'pathway'; pathway: Pathway }
  | { kind: 'item'; item: Item }
  | { kind: 'missing'; what: 'pathway' | 'item'; id: string }
  | { kind: 'empty' };

const customValue = (launch: LaunchContext, key: string) => {
  const v = launch.custom?.[key];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
};

/**
 * What this launch opens: the deep-linked pathway or item, else the course's first pathway. A
 * copied course gets its content copied first from the courses its `context_id_history` names
 * (course_copy.ts), so copied links keep working.
 */
export async function launchTarget(launch: LaunchContext): Promise<Target> {
  await copyForLaunch(launch);
  return resolveTarget(launch);
}

async function resolveTarget(launch: LaunchContext): Promise<Target> {
  const scope = scopeOf(launch);
  const pathwayId = customValue(launch, CUSTOM.pathway);
  if (pathwayId) {
    const pathway = await findPathway(scope, pathwayId);
    return pathway ? { kind: 'pathway', pathway } : { kind: 'missing', what: 'pathway', id: pathwayId };
  }
  const itemId = customValue(launch, CUSTOM.item);
  if (itemId) {
    const item = await findItem(scope, itemId);
    return item ? { kind: 'item', item } : { kind: 'missing', what: 'item', id: itemId };
  }
  const [first] = await listPathways(scope);
  return first ? { kind: 'pathway', pathway: first } : { kind: 'empty' };
}

/** ISO 8601 duration from when the item was shown, bounded so a stale tab does not log days. */
export function durationSince(shownAtMs: number, now = Date.now()): string | undefined {
  const ms = now - shownAtMs;
  if (!Number.isFinite(ms) || ms < 0 || ms > 3 * 3600_000) return undefined;
  return `PT${(ms / 1000).toFixed(1)}S`;
}

export interface AnswerResult {
  outcome: Outcome;
  next: NextUp | null;
  progress?: { done: number; total: number };
}

/** Checks a response, records it, and works out what comes next in the pathway. */
export async function submitAnswer(
  launch: LaunchContext,
  item: Item,
  response: Response,
  o: { pathway?: Pathway; shownAt?: number; recommendationId?: string },
): Promise<AnswerResult> {
  const outcome = scoreResponse(item, response);
  if (outcome.why !== 'empty') {
    const statement: StatementInput = outcome.graded
      ? {
          verb: 'answered',
          object: { id: item.id, kind: 'item' },
          result: { success: outcome.success, score: { scaled: outcome.score }, response: outcome.recorded, duration: o.shownAt ? durationSince(o.shownAt) : undefined },
        }
      : { verb: 'completed', object: { id: item.id, kind: 'item' }, result: { duration: o.shownAt ? durationSince(o.shownAt) : undefined } };
    statement.context = { ...(o.recommendationId ? { recommendationId: o.recommendationId } : {}), ...(o.pathway ? { extensions: { pathway: o.pathway.id } } : {}) };
    await recordForLaunch(launch, [statement]);
    // The grade follows the evidence: recomputed for what this launch opened, queued for the LMS.
    const target = await launchTarget(launch);
    if (target.kind === 'pathway' || target.kind === 'item') await gradeAfterActivity(launch, target);
  }
  if (!o.pathway) return { outcome, next: null };
  const done = await itemsDone(launch);
  return { outcome, next: await nextUp(launch, o.pathway, { after: item.id, done }), progress: progressIn(o.pathway, done) };
}

export const progressIn = (pathway: Pathway, done: Set<string>) => ({ done: pathway.items.filter((i) => done.has(i)).length, total: pathway.items.length });

export async function recordViewed(launch: LaunchContext, item: Item, pathway?: Pathway): Promise<void> {
  await recordForLaunch(launch, [{ verb: 'viewed', object: { id: item.id, kind: 'item' }, ...(pathway ? { context: { extensions: { pathway: pathway.id } } } : {}) }]);
}
