import { courseRecords, learnerRecord, type CourseScope, type HistoryEntry } from '../activity/index.js';
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

/**
 * Every learner with activity in the course, each with their history (previews left out), from
 * their learner states read by `_id` (the course's learner list says whose): never a scan of the
 * statement log, which on FerretDB v1 decodes every statement of every tenant.
 */
export async function courseLearners(scope: CourseScope, content: CourseContent): Promise<LearnerActivity[]> {
  const records = await courseRecords(scope, { skillsOf: (id) => content.skillsOfItem.get(id) ?? [] });
  return records.map(({ sub, history }) => activityOf(sub, history));
}

const activityOf = (sub: string, history: HistoryEntry[]): LearnerActivity => ({ sub, lastActive: history[history.length - 1].timestamp, history, answers: answersIn(history) });

export async function learnerActivity(scope: CourseScope, sub: string, content: CourseContent): Promise<LearnerActivity | undefined> {
  const history = await learnerRecord(scope, sub, { skillsOf: (id) => content.skillsOfItem.get(id) ?? [] });
  return history.length ? activityOf(sub, history) : undefined;
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
