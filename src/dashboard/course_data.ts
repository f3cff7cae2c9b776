import { lastActivityPerLearner, learnerHistory, type CourseScope, type HistoryEntry } from '../activity/index.js';
import { listPathways, listSkills, searchItems } from '../content/catalog.js';
import type { Pathway, Skill } from '../content/format.js';
import type { Answer } from './mastery.js';

/**
 * What the teacher pages read about a course: its skills and pathways (content area), and each
 * learner's statements (activity area, preview statements left out). Joins happen here in
 * application code, since FerretDB v1 has no $lookup.
 */
export interface CourseContent {
  skills: Skill[];
  pathways: Pathway[];
  /** Item id → its skill ids, loaded once per request instead of once per item. */
  skillsOfItem: Map<string, string[]>;
  itemTitle: Map<string, string>;
}

export async function courseContent(scope: CourseScope): Promise<CourseContent> {
  const [skills, pathways, items] = await Promise.all([listSkills(scope), listPathways(scope), searchItems(scope)]);
  return {
    skills,
    pathways,
    skillsOfItem: new Map(items.map((i) => [i.id, i.skills])),
    itemTitle: new Map(items.map((i) => [i.id, i.title])),
  };
}

export interface LearnerActivity {
  sub: string;
  lastActive: Date;
  history: HistoryEntry[];
  answers: Answer[];
}

/** Answers on items, in time order, with their skills. */
export function answersIn(history: readonly HistoryEntry[]): Answer[] {
  return history
    .filter((s) => s.verb === 'answered' && s.object.kind === 'item' && typeof s.result?.success === 'boolean')
    .map((s) => ({ itemId: s.object.id, skills: s.skills ?? [], correct: s.result!.success!, at: s.timestamp }));
}

/** Runs `fn` over `list` with at most `limit` in flight, keeping order: a big course must not take every pooled connection. */
export async function mapLimit<T, R>(list: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(list.length);
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      out[i] = await fn(list[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, worker));
  return out;
}

const HISTORY_CONCURRENCY = 8;

/** Every learner with activity in the course, each with their history. */
export async function courseLearners(scope: CourseScope, content: CourseContent): Promise<LearnerActivity[]> {
  const last = await lastActivityPerLearner(scope);
  const skillsOf = (id: string) => content.skillsOfItem.get(id) ?? [];
  return mapLimit(last, HISTORY_CONCURRENCY, async ({ sub, at }) => {
    const history = await learnerHistory(scope, sub, { skillsOf });
    return { sub, lastActive: at, history, answers: answersIn(history) };
  });
}

export async function learnerActivity(scope: CourseScope, sub: string, content: CourseContent): Promise<LearnerActivity | undefined> {
  const history = await learnerHistory(scope, sub, { skillsOf: (id) => content.skillsOfItem.get(id) ?? [] });
  if (!history.length) return undefined;
  return { sub, lastActive: history[history.length - 1].timestamp, history, answers: answersIn(history) };
}

/**
 * Each skill's mastery threshold: the strictest among the pathways that practise it, so "mastered"
 * on the dashboard never claims more than a pathway's own setting allows.
 */
export function thresholdOfSkill(pathways: readonly Pathway[], fallback: number): (skill: string) => number {
  const bySkill = new Map<string, number>();
  for (const p of pathways) {
    const t = p.settings?.masteryThreshold ?? fallback;
    for (const s of p.skills) bySkill.set(s, Math.max(bySkill.get(s) ?? 0, t));
  }
  return (skill) => bySkill.get(skill) ?? fallback;
}
