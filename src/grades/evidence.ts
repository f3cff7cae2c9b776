import type { HistoryEntry } from '../activity/index.js';
import type { GradingRule, ScoreToSend } from './model.js';

/**
 * Grades from observed evidence only: what the learner answered, never what a model predicts,
 * so promoting a recommender model never moves a grade. Pure functions over the learner's history.
 */
export const DEFAULT_RULE: GradingRule = { kind: 'mastery', k: 2, n: 3 };

/** `mastery:K/N` (K of the last N attempts on a skill correct) or `points`; anything else is refused. */
export function parseRule(text: string): GradingRule | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'points') return { kind: 'points' };
  const m = /^mastery:(\d+)\/(\d+)$/.exec(t);
  if (m && +m[1] >= 1 && +m[1] <= +m[2] && +m[2] <= 50) return { kind: 'mastery', k: +m[1], n: +m[2] };
  return undefined;
}

export interface PathwayEvidence {
  items: string[];
  /** The pathway's skills; when empty, the skills of its items. */
  skills: string[];
  skillsOfItem: (itemId: string) => string[];
}

const answered = (h: HistoryEntry[], items: Set<string>) =>
  h.filter((s) => s.verb === 'answered' && s.object.kind === 'item' && items.has(s.object.id));

const finished = (h: HistoryEntry[], items: Set<string>) =>
  new Set(
    h
      .filter(
        (s) =>
          items.has(s.object.id) && ((s.verb === 'answered' && s.result?.success) || s.verb === 'completed'),
      )
      .map((s) => s.object.id),
  );

/** Latest scaled score per attempted item (answers only; reading and video are not points). */
function latestScores(answers: HistoryEntry[]): Map<string, number> {
  const latest = new Map<string, number>();
  for (const s of answers) latest.set(s.object.id, s.result?.score?.scaled ?? (s.result?.success ? 1 : 0));
  return latest;
}

/** Share 0–1 of a pathway's skills mastered, or of points over attempted items. */
export function pathwayShare(history: HistoryEntry[], p: PathwayEvidence, rule: GradingRule): number {
  const items = new Set(p.items);
  const answers = answered(history, items);
  const skills = p.skills.length ? p.skills : [...new Set(p.items.flatMap(p.skillsOfItem))];
  if (rule.kind === 'points' || skills.length === 0) {
    const latest = [...latestScores(answers).values()];
    return latest.length ? latest.reduce((a, b) => a + b, 0) / latest.length : 0;
  }
  const mastered = skills.filter((skill) => {
    const recent = answers.filter((s) => p.skillsOfItem(s.object.id).includes(skill)).slice(-rule.n);
    return recent.filter((s) => s.result?.success === true).length >= rule.k;
  });
  return mastered.length / skills.length;
}

export function itemShare(history: HistoryEntry[], itemId: string): number {
  const mine = history.filter((s) => s.object.kind === 'item' && s.object.id === itemId);
  const last = [...mine].reverse().find((s) => s.verb === 'answered' || s.verb === 'completed');
  if (!last) return 0;
  return last.verb === 'completed' ? 1 : (last.result?.score?.scaled ?? (last.result?.success ? 1 : 0));
}

export function pathwayProgress(history: HistoryEntry[], items: string[]): ScoreToSend['activityProgress'] {
  const done = finished(history, new Set(items));
  return items.every((i) => done.has(i)) ? 'Completed' : 'InProgress';
}

/** A share 0–1 as the score sent: out of `maximum`, to two decimals. */
export const toScore = (
  share: number,
  maximum: number,
  activityProgress: ScoreToSend['activityProgress'],
): ScoreToSend => ({
  given: Math.round(Math.min(1, Math.max(0, share)) * maximum * 100) / 100,
  maximum,
  activityProgress,
  gradingProgress: 'FullyGraded',
});
