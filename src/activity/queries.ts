import { Statement, statements, type StoredStatement } from './model.js';
import type { Verb } from './verbs.js';
import { previewFilter, requireScope, type CourseScope } from './scope.js';

/** Content owns skills: callers pass how to find an item's skills (may hit the database). */
export type SkillResolver = (itemId: string) => string[] | Promise<string[]>;

export type HistoryEntry = StoredStatement & { skills?: string[] };

export async function resolveSkills(
  itemIds: Iterable<string>,
  skillsOf: SkillResolver,
): Promise<Map<string, string[]>> {
  const ids = [...new Set(itemIds)];
  const skills = await Promise.all(ids.map(async (id) => skillsOf(id)));
  return new Map(ids.map((id, i) => [id, skills[i]]));
}

/** The history with each item statement carrying its skills (joined here, not by $lookup). */
export async function withSkills(history: HistoryEntry[], skillsOf?: SkillResolver): Promise<HistoryEntry[]> {
  if (!skillsOf) return history;
  const skills = await resolveSkills(
    history.filter((s) => s.object.kind === 'item').map((s) => s.object.id),
    skillsOf,
  );
  return history.map((s) => (s.object.kind === 'item' ? { ...s, skills: skills.get(s.object.id) ?? [] } : s));
}

export interface SkillDay {
  skill: string;
  day: string;
  attempts: number;
  successes: number;
  /** successes / attempts */
  successRate: number;
}

export interface CourseAggregates {
  /** Answers on items, per skill per day (an item with two skills counts for both). */
  skills: SkillDay[];
  activeLearners: { total: number; perDay: { day: string; learners: number }[] };
}

export interface AggregateOptions {
  skillsOf?: SkillResolver;
  /** Inclusive `YYYY-MM-DD` bounds. */
  fromDay?: string;
  toDay?: string;
  includePreview?: boolean;
}

/**
 * Attempts and success per skill per day, and active learners. Only FerretDB-v1-safe stages:
 * `$match` and `$group` with `$sum` over stored fields (`day`); rates and the skill join are
 * computed here. Without `skillsOf`, `skills` is empty.
 */
export async function courseAggregates(
  scope: CourseScope,
  opts: AggregateOptions = {},
): Promise<CourseAggregates> {
  const { tenantId, courseId } = requireScope(scope);
  const day = {
    ...(opts.fromDay ? { $gte: opts.fromDay } : {}),
    ...(opts.toDay ? { $lte: opts.toDay } : {}),
  };
  const match = {
    tenantId,
    courseId,
    ...previewFilter(opts.includePreview),
    ...(opts.fromDay || opts.toDay ? { day } : {}),
  };
  const [answers, learnerDays] = await Promise.all([
    statements()
      .aggregate<{ _id: { day: string; item: string; success?: boolean | null }; n: number }>([
        { $match: { ...match, verb: 'answered', 'object.kind': 'item' } },
        { $group: { _id: { day: '$day', item: '$object.id', success: '$result.success' }, n: { $sum: 1 } } },
      ])
      .toArray(),
    statements()
      .aggregate<{ _id: { day: string; sub: string } }>([
        { $match: match },
        { $group: { _id: { day: '$day', sub: '$sub' } } },
      ])
      .toArray(),
  ]);

  const skillsOfItem = opts.skillsOf
    ? await resolveSkills(
        answers.map((a) => a._id.item),
        opts.skillsOf,
      )
    : new Map<string, string[]>();
  const cells = new Map<string, SkillDay>();
  for (const { _id, n } of answers) {
    for (const skill of skillsOfItem.get(_id.item) ?? []) {
      const key = `${skill}\u0000${_id.day}`;
      const cell = cells.get(key) ?? { skill, day: _id.day, attempts: 0, successes: 0, successRate: 0 };
      cell.attempts += n;
      if (_id.success === true) cell.successes += n;
      cells.set(key, cell);
    }
  }
  const skills = [...cells.values()]
    .map((c) => ({ ...c, successRate: c.successes / c.attempts }))
    .sort((a, b) => (a.day === b.day ? a.skill.localeCompare(b.skill) : a.day < b.day ? -1 : 1));

  const perDay = new Map<string, number>();
  const learners = new Set<string>();
  for (const { _id } of learnerDays) {
    perDay.set(_id.day, (perDay.get(_id.day) ?? 0) + 1);
    learners.add(_id.sub);
  }
  return {
    skills,
    activeLearners: {
      total: learners.size,
      perDay: [...perDay].map(([d, n]) => ({ day: d, learners: n })).sort((a, b) => (a.day < b.day ? -1 : 1)),
    },
  };
}

/**
 * Each learner's latest statement time in a course. FerretDB v1 has no `$max`, so: the distinct
 * learners by `$group`, then one indexed newest-first lookup per learner.
 */
export async function lastActivityPerLearner(
  scope: CourseScope,
  opts: { includePreview?: boolean } = {},
): Promise<{ sub: string; at: Date }[]> {
  const { tenantId, courseId } = requireScope(scope);
  const match = { tenantId, courseId, ...previewFilter(opts.includePreview) };
  const subs = await statements()
    .aggregate<{ _id: string }>([{ $match: match }, { $group: { _id: '$sub' } }])
    .toArray();
  const latest = await Promise.all(
    subs.map(({ _id: sub }) =>
      Statement.findOne({ ...match, sub }, { timestamp: 1 })
        .sort({ timestamp: -1, stored: -1 })
        .lean<Pick<StoredStatement, 'timestamp'>>(),
    ),
  );
  return subs
    .map(({ _id: sub }, i) => ({ sub, at: latest[i]?.timestamp }))
    .filter((r): r is { sub: string; at: Date } => r.at instanceof Date)
    .sort((a, b) => a.sub.localeCompare(b.sub));
}

/**
 * Every statement of a course in one pass over a cursor (constant memory), for readers that need
 * the whole class at once — the teacher overview, training data. One pass beats a query per
 * learner by far on FerretDB v1, where each filtered read scans the collection. Unsorted, since a
 * sorted scan costs FerretDB much more: callers order what they keep.
 */
export async function* courseStatements(
  scope: CourseScope,
  opts: { verbs?: Verb[]; includePreview?: boolean } = {},
): AsyncGenerator<StoredStatement> {
  const { tenantId, courseId } = requireScope(scope);
  const filter = {
    tenantId,
    courseId,
    ...previewFilter(opts.includePreview),
    ...(opts.verbs ? { verb: { $in: opts.verbs } } : {}),
  };
  const cursor = statements().find(filter);
  try {
    for await (const s of cursor) yield s as StoredStatement;
  } finally {
    await cursor.close();
  }
}

/** The courses of a tenant that have any (non-preview) activity. */
export async function coursesWithActivity(tenantId: string): Promise<string[]> {
  if (!tenantId) throw new Error('coursesWithActivity needs a tenantId');
  return ((await statements().distinct('courseId', { tenantId, preview: false })) as string[]).sort();
}

/**
 * Graded answers per course of a tenant (non-preview), in one aggregation pass: the retraining loop
 * compares them with what a course's last model was trained on to see that enough new ones arrived.
 */
export async function answersPerCourse(tenantId: string): Promise<Map<string, number>> {
  if (!tenantId) throw new Error('answersPerCourse needs a tenantId');
  const rows = await statements()
    .aggregate<{ _id: string; n: number }>([
      { $match: { tenantId, ...previewFilter(false), verb: 'answered', 'object.kind': 'item', 'result.success': { $in: [true, false] } } },
      { $group: { _id: '$courseId', n: { $sum: 1 } } },
    ])
    .toArray();
  return new Map(rows.map((r) => [r._id, r.n]));
}
