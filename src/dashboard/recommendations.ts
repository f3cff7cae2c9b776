import type { HistoryEntry } from '../activity/index.js';

/**
 * Recommendations as the activity log records them (the policy writes `recommendation-shown`,
 * the player `recommendation-followed`, both carrying the recommendation id), and how the
 * attempts that followed them went.
 */
export type Reason = { key: string; params?: Record<string, string | number> } | string;

export interface ShownRecommendation {
  id: string;
  itemId: string;
  at: Date;
  reason?: Reason;
  predicted?: number;
  model?: string;
  followed: boolean;
  /** The first answer on the recommended item after following it. */
  outcome?: 'correct' | 'incorrect';
}

export interface RecommendationSummary {
  shown: number;
  followed: number;
  correct: number;
  incorrect: number;
  /** Followed, but not answered (yet). */
  unanswered: number;
}

/** Extension keys may be IRIs (`…/extensions/reason`) or plain names: compare by the last segment. */
function extensions(s: HistoryEntry): Map<string, unknown> {
  const all = { ...(s.result?.extensions ?? {}), ...(s.context.extensions ?? {}) };
  return new Map(Object.entries(all).map(([k, v]) => [k.split(/[/#]/).pop()!.toLowerCase(), v]));
}

function readReason(v: unknown): Reason | undefined {
  if (typeof v === 'string' && v) return v;
  if (v && typeof v === 'object' && typeof (v as { key?: unknown }).key === 'string') return v as Reason;
  return undefined;
}

const firstNumber = (ext: Map<string, unknown>, names: string[]) => names.map((n) => ext.get(n)).find((v): v is number => typeof v === 'number');
const firstString = (ext: Map<string, unknown>, names: string[]) => names.map((n) => ext.get(n)).find((v): v is string => typeof v === 'string');

export function recommendationsIn(history: readonly HistoryEntry[]): ShownRecommendation[] {
  const shown = new Map<string, ShownRecommendation>();
  const followedAt = new Map<string, Date>();
  for (const s of history) {
    const id = s.context.recommendationId ?? s._id;
    if (s.verb === 'recommendation-shown') {
      const ext = extensions(s);
      shown.set(id, {
        id,
        itemId: s.object.id,
        at: s.timestamp,
        reason: readReason(ext.get('reason')),
        predicted: firstNumber(ext, ['predictedsuccess', 'predicted', 'probability']),
        model: firstString(ext, ['modelversion', 'model']),
        followed: false,
      });
    } else if (s.verb === 'recommendation-followed' && s.context.recommendationId) {
      if (!followedAt.has(id)) followedAt.set(id, s.timestamp);
    }
  }
  const answers = history.filter((s) => s.verb === 'answered' && s.object.kind === 'item' && typeof s.result?.success === 'boolean');
  for (const [id, at] of followedAt) {
    const rec = shown.get(id);
    if (!rec) continue;
    rec.followed = true;
    const answer =
      answers.find((a) => a.context.recommendationId === id) ?? answers.find((a) => a.object.id === rec.itemId && a.timestamp >= at);
    if (answer) rec.outcome = answer.result!.success ? 'correct' : 'incorrect';
  }
  return [...shown.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
}

export function summarise(recs: Iterable<ShownRecommendation>): RecommendationSummary {
  const sum: RecommendationSummary = { shown: 0, followed: 0, correct: 0, incorrect: 0, unanswered: 0 };
  for (const r of recs) {
    sum.shown++;
    if (!r.followed) continue;
    sum.followed++;
    if (r.outcome) sum[r.outcome]++;
    else sum.unanswered++;
  }
  return sum;
}
