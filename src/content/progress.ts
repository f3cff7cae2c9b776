import { learnerRecord, type HistoryEntry } from '../activity/index.js';
import { DEFAULT_RULE } from '../grades/index.js';
import type { Locale } from '../web/i18n.js';
import type { Pathway } from './format.js';
import { showItem, skillName } from './localise.js';
import type { Library } from './store.js';

/**
 * A learner's own progress, from their statements only: per skill, how their latest answers went
 * and whether that is mastery by the same rule the gradebook uses (at least k of the last n
 * answers correct), plus what they did recently. Evidence first: a skill with no answers says so.
 */
const MASTERY = DEFAULT_RULE.kind === 'mastery' ? DEFAULT_RULE : { k: 2, n: 3 };
const RECENT = 10;

export type SkillStatus = 'notStarted' | 'practising' | 'mastered';

export interface SkillProgress {
  id: string;
  name: string;
  answers: number;
  correct: number;
  /** The latest answers (up to n), oldest first: true = correct. */
  latest: boolean[];
  latestCorrect: number;
  status: SkillStatus;
}

export interface RecentActivity {
  at: Date;
  verb: 'answered' | 'completed' | 'viewed';
  itemId: string;
  title: string;
  success?: boolean;
}

export interface LearnerProgress {
  skills: SkillProgress[];
  recent: RecentActivity[];
  /** The mastery rule in the learner's words: k correct of the last n. */
  rule: { k: number; n: number };
}

const isAnswer = (s: HistoryEntry) => s.verb === 'answered' && s.object.kind === 'item' && typeof s.result?.success === 'boolean';

/** The skills the pathway covers (its own list, else its items'), then any other skill the learner has answered. */
function skillsShown(lib: Library, pathway: Pathway | undefined, answers: HistoryEntry[]): string[] {
  const fromPathway = pathway ? (pathway.skills.length ? pathway.skills : pathway.items.flatMap((i) => lib.items.get(i)?.skills ?? [])) : [];
  const answered = answers.flatMap((s) => lib.items.get(s.object.id)?.skills ?? []);
  return [...new Set([...fromPathway, ...answered])].filter((id) => lib.skills.has(id));
}

export function progressFrom(history: HistoryEntry[], lib: Library, pathway: Pathway | undefined, locale: Locale): LearnerProgress {
  const answers = history.filter(isAnswer);
  const skills = skillsShown(lib, pathway, answers).map((id): SkillProgress => {
    const mine = answers.filter((s) => lib.items.get(s.object.id)?.skills.includes(id));
    const latest = mine.slice(-MASTERY.n).map((s) => s.result!.success === true);
    const mastered = latest.filter(Boolean).length >= MASTERY.k;
    return {
      id,
      name: skillName(lib.skills.get(id)!, locale),
      answers: mine.length,
      correct: mine.filter((s) => s.result!.success).length,
      latest,
      latestCorrect: latest.filter(Boolean).length,
      status: mine.length === 0 ? 'notStarted' : mastered ? 'mastered' : 'practising',
    };
  });
  const recent = history
    .filter((s): s is HistoryEntry & { verb: RecentActivity['verb'] } => s.object.kind === 'item' && ['answered', 'completed', 'viewed'].includes(s.verb))
    .slice(-RECENT)
    .reverse()
    .map((s) => {
      const item = lib.items.get(s.object.id);
      return {
        at: s.timestamp,
        verb: s.verb,
        itemId: s.object.id,
        title: item ? showItem(item, locale).title : s.object.id,
        ...(typeof s.result?.success === 'boolean' ? { success: s.result.success } : {}),
      };
    });
  return { skills, recent, rule: { k: MASTERY.k, n: MASTERY.n } };
}

/** Reads the learner's record in the course (their state, by `_id`); a previewer's own page includes their preview. */
export async function learnerProgress(
  scope: { tenantId: string; courseId: string },
  sub: string,
  o: { lib: Library; pathway?: Pathway; locale: Locale; includePreview: boolean },
): Promise<{ progress: LearnerProgress; history: HistoryEntry[] }> {
  const history = await learnerRecord(scope, sub, { includePreview: o.includePreview });
  return { progress: progressFrom(history, o.lib, o.pathway, o.locale), history };
}
