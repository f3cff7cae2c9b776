import type { CourseScope } from '../activity/index.js';
import { skillName } from '../content/localise.js';
import type { Locale } from '../web/i18n.js';
import { courseContent, learnerActivity, thresholdOfSkill } from './course_data.js';
import { DEFAULT_MASTERY_THRESHOLD, heatLevel, skillEvidence, type SkillEvidence } from './mastery.js';
import { predictedMastery, type Predicted } from './predicted.js';
import { recommendationsIn, type ShownRecommendation } from './recommendations.js';
import { stuckReasons, type StuckReason } from './stuck.js';

/** One learner in one course: timeline, observed and predicted mastery per skill, recommendations. */
export const TIMELINE_LIMIT = 100;

export interface LearnerSkill {
  id: string;
  name: string;
  level: number;
  evidence?: SkillEvidence;
  /** Percent, from the active model. */
  predictedPct?: number;
}

export interface TimelineEntry {
  at: Date;
  verb: string;
  itemId: string;
  title: string;
  outcome?: 'correct' | 'incorrect';
  viaRecommendation: boolean;
}

export interface LearnerDetail {
  sub: string;
  lastActive: Date;
  skills: LearnerSkill[];
  timeline: TimelineEntry[];
  /** Newest first. */
  recommendations: (ShownRecommendation & { title: string })[];
  stuck: StuckReason[];
  predicted: Omit<Predicted, 'bySkill'> & { model?: string };
  totalEvents: number;
}

export async function learnerDetail(scope: CourseScope, sub: string, o: { locale: Locale; now?: Date }): Promise<LearnerDetail | undefined> {
  const content = await courseContent(scope);
  const activity = await learnerActivity(scope, sub, content);
  if (!activity) return undefined;
  const thresholdOf = thresholdOfSkill(content.pathways, DEFAULT_MASTERY_THRESHOLD);
  const evidence = skillEvidence(activity.answers, thresholdOf);
  const predicted = await predictedMastery(scope, sub, content.skillsOfItem);
  const names = new Map(content.skills.map((s) => [s.id, skillName(s, o.locale)]));
  const title = (id: string) => content.itemTitle.get(id) ?? id;
  const timeline = activity.history
    .slice(-TIMELINE_LIMIT)
    .reverse()
    .map((s) => ({
      at: s.timestamp,
      verb: s.verb,
      itemId: s.object.id,
      title: title(s.object.id),
      outcome: typeof s.result?.success === 'boolean' ? (s.result.success ? ('correct' as const) : ('incorrect' as const)) : undefined,
      viaRecommendation: Boolean(s.context.recommendationId),
    }));
  return {
    sub,
    lastActive: activity.lastActive,
    skills: content.skills.map((s) => {
      const e = evidence.get(s.id);
      const p = predicted.available ? predicted.bySkill.get(s.id) : undefined;
      return { id: s.id, name: names.get(s.id) ?? s.id, level: heatLevel(e), evidence: e, predictedPct: p === undefined ? undefined : Math.round(p * 100) };
    }),
    timeline,
    recommendations: recommendationsIn(activity.history)
      .reverse()
      .map((r) => ({ ...r, title: title(r.itemId) })),
    stuck: stuckReasons(evidence, activity.lastActive, o.now ?? new Date(), (id) => names.get(id) ?? id),
    predicted: predicted.available ? { available: true, model: predicted.model } : { available: false },
    totalEvents: activity.history.length,
  };
}
