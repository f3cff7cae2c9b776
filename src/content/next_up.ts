import { isPreview, learnerRecord } from '../activity/index.js';
import { log } from '../log.js';
import type { LaunchContext } from '../lti/session.js';
import { recommendNext } from '../recommend/next.js';
import type { Pathway } from './format.js';
import { steeringFor } from './overrides.js';

/**
 * "Next up" for a learner in a pathway, with a one-line reason. This is the one place the player
 * asks: the recommender's policy decides (src/recommend/policy.ts) and records what it showed. If
 * the recommender fails, the pathway's authored order answers, so the player never breaks on it.
 * A reason is an i18n key plus parameters, so it can be shown in any locale.
 */
export interface NextUp {
  itemId: string;
  reason: { key: string; params?: Record<string, string | number> };
  /** Set by the recommender so the player can report which recommendation was followed. */
  recommendationId?: string;
}

export interface NextUpOptions {
  /** The item just shown: the suggestion starts after it in the pathway's order. */
  after?: string;
  /** The learner's finished items, when the caller already has them (saves a query). */
  done?: Set<string>;
}

/** Items the learner answered correctly or completed, in this course. */
export async function itemsDone(launch: LaunchContext): Promise<Set<string>> {
  // A previewer's own preview statements count in their preview (and nowhere else).
  const history = await learnerRecord({ tenantId: launch.tenantId, courseId: launch.courseId }, launch.sub, { includePreview: isPreview(launch) });
  return new Set(
    history
      .filter((s) => s.object.kind === 'item' && ((s.verb === 'answered' && s.result?.success) || s.verb === 'completed'))
      .map((s) => s.object.id),
  );
}

export async function nextUp(launch: LaunchContext, pathway: Pathway, o: NextUpOptions = {}): Promise<NextUp | null> {
  // A teacher's override comes first (overrides.ts): a pinned item until it is done; skipped items never.
  const steer = await steeringFor(launch, pathway);
  if (steer.pinned && steer.pinned !== o.after && !(o.done ?? (await itemsDone(launch))).has(steer.pinned)) {
    return { itemId: steer.pinned, reason: { key: 'override.reason.pinned' } };
  }
  if (steer.skipped.size) pathway = { ...pathway, items: pathway.items.filter((id) => !steer.skipped.has(id)) };
  try {
    const rec = await recommendNext(launch, pathway, { current: o.after });
    return rec ? { itemId: rec.itemId, reason: rec.reason, recommendationId: rec.recommendationId } : null;
  } catch (err) {
    log.error({ err: (err as Error).message, pathway: pathway.id }, 'recommender failed; following the authored order');
    return authoredOrder(launch, pathway, o);
  }
}

/** The pathway's authored order, skipping what the learner already got right or completed. */
async function authoredOrder(launch: LaunchContext, pathway: Pathway, o: NextUpOptions): Promise<NextUp | null> {
  const done = o.done ?? (await itemsDone(launch));
  const start = o.after ? pathway.items.indexOf(o.after) + 1 : 0;
  // Later items first, then wrap around to anything skipped earlier.
  const order = [...pathway.items.slice(start), ...pathway.items.slice(0, start)].filter((id) => id !== o.after);
  const next = order.find((id) => !done.has(id));
  if (!next) return null;
  const position = pathway.items.indexOf(next);
  return position >= start
    ? { itemId: next, reason: { key: 'player.reason.pathwayOrder', params: { n: position + 1, total: pathway.items.length } } }
    : { itemId: next, reason: { key: 'player.reason.notYetDone' } };
}
