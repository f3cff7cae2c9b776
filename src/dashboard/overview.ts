import { courseAggregates, type CourseScope } from '../activity/index.js';
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

export async function courseOverview(
  scope: CourseScope,
  o: { locale: Locale; now?: Date; names?: ReadonlyMap<string, string> },
): Promise<CourseOverview> {
  const now = o.now ?? new Date();
  const days = lastDays(now, ACTIVITY_DAYS);
  const content = await courseContent(scope);
  const [learners, aggregates] = await Promise.all([
    courseLearners(scope, content),
    courseAggregates(scope, { skillsOf: (id) => content.skillsOfItem.get(id) ?? [], fromDay: days[0], toDay: days[days.length - 1] }),
  ]);
  const skills = content.skills.map((s) => ({ id: s.id, name: skillName(s, o.locale) }));
  const nameOf = new Map(skills.map((s) => [s.id, s.name]));
  const thresholdOf = thresholdOfSkill(content.pathways, DEFAULT_MASTERY_THRESHOLD);

  const answersPerDay = new Map(days.map((d) => [d, 0]));
  const recs = [];
  const rows: OverviewLearner[] = [];
  for (const l of learners) {
    const evidence = skillEvidence(l.answers, thresholdOf);
    for (const a of l.answers) {
      const day = a.at.toISOString().slice(0, 10);
      if (answersPerDay.has(day)) answersPerDay.set(day, answersPerDay.get(day)! + 1);
    }
    recs.push(...recommendationsIn(l.history));
    rows.push({
      sub: l.sub,
      name: o.names?.get(l.sub),
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
  rows.sort((a, b) => (a.name ?? a.sub).localeCompare(b.name ?? b.sub));

  const perSkill = new Map<string, { attempts: number; successes: number }>();
  for (const c of aggregates.skills) {
    const s = perSkill.get(c.skill) ?? { attempts: 0, successes: 0 };
    s.attempts += c.attempts;
    s.successes += c.successes;
    perSkill.set(c.skill, s);
  }
  const learnersPerDay = new Map(aggregates.activeLearners.perDay.map((d) => [d.day, d.learners]));
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
