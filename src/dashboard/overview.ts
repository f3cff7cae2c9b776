import type { CourseScope } from '../activity/index.js';
import { skillName } from '../content/localise.js';
import type { Locale } from '../web/i18n.js';
import { barChart, lastDays, stackedBar, type BarChart, type StackSegment } from './charts.js';
import { courseContent, courseLearners, thresholdOfSkill } from './course_data.js';
import { DEFAULT_MASTERY_THRESHOLD, heatLevel, skillEvidence } from './mastery.js';
import { recommendationsIn, summarise, type RecommendationSummary } from './recommendations.js';
import { stuckReasons, type StuckReason } from './stuck.js';

/** The course overview: learners × skills, activity over time, who is stuck and why, recommendation outcomes. */
export const ACTIVITY_DAYS = 30;

export interface HeatCell {
  /** 0 no answers yet … 5 mastered */
  level: number;
  /** Percent correct of the recent answers, when there are any. */
  pct?: number;
}

export interface OverviewLearner {
  sub: string;
  name?: string;
  lastActive: Date;
  cells: HeatCell[];
  mastered: number;
  answers: number;
  stuck: StuckReason[];
}

export interface CourseOverview {
  skills: { id: string; name: string }[];
  /** Percent correct of all answers per skill over the activity window (all learners). */
  classPct: (number | undefined)[];
  learners: OverviewLearner[];
  stuck: OverviewLearner[];
  activity: { day: string; answers: number; learners: number }[];
  activityChart: BarChart;
  recommendations: RecommendationSummary;
  recommendationBar: StackSegment[];
  totalAnswers: number;
}

/** Learner names (from the LMS roster) put on the rows, sorted by name; the computed overview stays shared. */
export function withNames(o: CourseOverview, names: ReadonlyMap<string, string>): CourseOverview {
  const learners = o.learners.map((l) => ({ ...l, name: names.get(l.sub) })).sort((a, b) => (a.name ?? a.sub).localeCompare(b.name ?? b.sub));
  return { ...o, learners, stuck: learners.filter((l) => l.stuck.length) };
}

export async function courseOverview(
  scope: CourseScope,
  o: { locale: Locale; now?: Date },
): Promise<CourseOverview> {
  const now = o.now ?? new Date();
  const days = lastDays(now, ACTIVITY_DAYS);
  const content = await courseContent(scope);
  const learners = await courseLearners(scope, content);
  const skills = content.skills.map((s) => ({ id: s.id, name: skillName(s, o.locale) }));
  const nameOf = new Map(skills.map((s) => [s.id, s.name]));
  const thresholdOf = thresholdOfSkill(content.pathways, DEFAULT_MASTERY_THRESHOLD);

  // Per day in the window: answers, active learners; per skill: attempts and successes (all from the one pass).
  const answersPerDay = new Map(days.map((d) => [d, 0]));
  const learnersPerDay = new Map(days.map((d) => [d, 0]));
  const perSkill = new Map<string, { attempts: number; successes: number }>();
  const recs = [];
  const rows: OverviewLearner[] = [];
  for (const l of learners) {
    const evidence = skillEvidence(l.answers, thresholdOf);
    for (const a of l.answers) {
      const day = a.at.toISOString().slice(0, 10);
      if (!answersPerDay.has(day)) continue;
      answersPerDay.set(day, answersPerDay.get(day)! + 1);
      for (const skill of a.skills) {
        const s = perSkill.get(skill) ?? { attempts: 0, successes: 0 };
        s.attempts++;
        if (a.correct) s.successes++;
        perSkill.set(skill, s);
      }
    }
    for (const day of new Set(l.history.map((s) => s.day))) if (learnersPerDay.has(day)) learnersPerDay.set(day, learnersPerDay.get(day)! + 1);
    recs.push(...recommendationsIn(l.history));
    rows.push({
      sub: l.sub,
      lastActive: l.lastActive,
      cells: skills.map(({ id }) => {
        const e = evidence.get(id);
        return { level: heatLevel(e), pct: e ? Math.round(e.recentShare * 100) : undefined };
      }),
      mastered: [...evidence.values()].filter((e) => e.mastered).length,
      answers: l.answers.length,
      stuck: stuckReasons(evidence, l.lastActive, now, (id) => nameOf.get(id) ?? id),
    });
  }

  const activity = days.map((day) => ({ day, answers: answersPerDay.get(day) ?? 0, learners: learnersPerDay.get(day) ?? 0 }));
  const recommendations = summarise(recs);
  return {
    skills,
    classPct: skills.map(({ id }) => {
      const s = perSkill.get(id);
      return s?.attempts ? Math.round((100 * s.successes) / s.attempts) : undefined;
    }),
    learners: rows,
    stuck: rows.filter((r) => r.stuck.length),
    activity,
    activityChart: barChart(activity.map((a) => ({ label: a.day, value: a.answers }))),
    recommendations,
    recommendationBar: stackedBar([
      { key: 'correct', value: recommendations.correct },
      { key: 'incorrect', value: recommendations.incorrect },
      { key: 'unanswered', value: recommendations.unanswered },
      { key: 'notFollowed', value: recommendations.shown - recommendations.followed },
    ]),
    totalAnswers: learners.reduce((n, l) => n + l.answers.length, 0),
  };
}
