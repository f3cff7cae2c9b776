import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { agsUrls, defaultColumnId, toolFor } from './id_token.js';
import { isStudent, membershipOf } from './nrps.js';
import { scoreRules } from './profiles.js';
import { AGS_SCOPES, type LmsState } from './state.js';
import type { LmsLineItem, LmsResult } from './types.js';
import { checkAccessToken } from './token.js';

/**
 * Assignment and Grade Services 2.0 as Moodle answers them (Canvas's differences behind
 * `state.profile`, see profiles.ts): line items, scores with the rules real platforms enforce,
 * and results.
 */
const [LINEITEM, LINEITEM_READ, RESULT_READ, SCORE] = AGS_SCOPES;
const BASE = '/mod/lti/services.php/:course/lineitems';
const MEDIA = {
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItems: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  results: 'application/vnd.ims.lis.v2.resultcontainer+json',
};
const ACTIVITY = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'] as const;
const GRADING = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'] as const;

const refuse = (res: Response, status: number, message: string) =>
  res.status(status).json({ error: status === 401 ? 'invalid_token' : 'refused', message });

/** The client holding a live token with one of `scopes`, or a 401 answered. */
export function authorizeService(state: LmsState, req: Request, res: Response, scopes: string[]) {
  for (const scope of scopes) {
    const holder = checkAccessToken(state, req.headers.authorization, scope);
    if (holder) return holder;
  }
  refuse(res, 401, `a live access token with scope ${scopes.join(' or ')} is required`);
  return undefined;
}

const resultKey = (lineItemId: string, userId: string) => `${lineItemId}\u0000${userId}`;

/**
 * The columns of a course, including those the LMS has without the tool asking: one per resource
 * link created by deep linking with a line item, and the course's default link's column.
 */
function columnsOf(state: LmsState, clientId: string, courseId: string): LmsLineItem[] {
  const tool = toolFor(state, clientId);
  const ensure = (item: LmsLineItem) => {
    if (!state.lineItems.has(item.id)) state.lineItems.set(item.id, item);
  };
  const common = { clientId, courseId, deploymentId: tool.deploymentId };
  ensure({
    ...common,
    id: defaultColumnId(courseId),
    label: tool.name,
    scoreMaximum: 100,
    resourceLinkId: `wayfinder-${courseId}`,
  });
  for (const link of state.resourceLinks) {
    if (link.clientId === clientId && link.courseId === courseId && link.lineItem) {
      const { id, label, scoreMaximum, resourceId, tag } = link.lineItem;
      ensure({ ...common, id, label, scoreMaximum, resourceId, tag, resourceLinkId: link.id });
    }
  }
  return [...state.lineItems.values()].filter((l) => l.clientId === clientId && l.courseId === courseId);
}

export function lineItemJson(state: LmsState, l: LmsLineItem) {
  return {
    id: agsUrls(state, l.courseId, l.deploymentId, l.id).lineitem,
    label: l.label,
    scoreMaximum: l.scoreMaximum,
    ...(l.resourceId ? { resourceId: l.resourceId } : {}),
    ...(l.tag ? { tag: l.tag } : {}),
    ...(l.resourceLinkId ? { resourceLinkId: l.resourceLinkId } : {}),
  };
}

const lineItemSchema = z.object({
  label: z.string().trim().min(1, 'label is required'),
  scoreMaximum: z.number().positive('scoreMaximum must be greater than 0'),
  resourceId: z.string().optional(),
  tag: z.string().optional(),
  resourceLinkId: z.string().optional(),
});

const scoreSchema = z.object({
  userId: z.string({ required_error: 'userId is required' }).min(1),
  timestamp: z
    .string({ required_error: 'timestamp is required' })
    .refine((t) => !Number.isNaN(Date.parse(t)), 'timestamp must be an ISO 8601 date-time'),
  activityProgress: z.enum(ACTIVITY, { required_error: 'activityProgress is required' }),
  gradingProgress: z.enum(GRADING, { required_error: 'gradingProgress is required' }),
  scoreGiven: z.number().min(0).optional(),
  scoreMaximum: z.number().optional(),
  comment: z.string().optional(),
});

const issues = (e: z.ZodError) =>
  e.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');

export function agsRoutes(router: Router, state: LmsState): void {
  const json = express.json({ type: ['application/json', 'application/*+json'], limit: '64kb' });

  /** The column named in the URL, if it belongs to the calling tool; otherwise a 404 is answered. */
  const columnFor = (req: Request, res: Response, clientId: string) => {
    columnsOf(state, clientId, req.params.course);
    const item = state.lineItems.get(req.params.id);
    if (item && item.clientId === clientId && item.courseId === req.params.course) return item;
    refuse(res, 404, `no line item ${req.params.id} in course ${req.params.course}`);
    return undefined;
  };

  router.get(BASE, (req, res) => {
    const holder = authorizeService(state, req, res, [LINEITEM, LINEITEM_READ]);
    if (!holder) return;
    const q = req.query as Record<string, string | undefined>;
    const items = columnsOf(state, holder.clientId, req.params.course).filter(
      (l) =>
        (!q.resource_link_id || l.resourceLinkId === q.resource_link_id) &&
        (!q.resource_id || l.resourceId === q.resource_id) &&
        (!q.tag || l.tag === q.tag),
    );
    res.type(MEDIA.lineItems).send(JSON.stringify(items.map((l) => lineItemJson(state, l))));
  });

  router.post(BASE, json, (req, res) => {
    const holder = authorizeService(state, req, res, [LINEITEM]);
    if (!holder) return;
    const parsed = lineItemSchema.safeParse(req.body);
    if (!parsed.success) return refuse(res, 400, issues(parsed.error));
    const tool = toolFor(state, holder.clientId);
    const item: LmsLineItem = {
      ...parsed.data,
      id: `col-${state.lineItems.size + 1}-${Date.now().toString(36)}`,
      clientId: holder.clientId,
      courseId: req.params.course,
      deploymentId: tool.deploymentId,
    };
    state.lineItems.set(item.id, item);
    res
      .status(201)
      .type(MEDIA.lineItem)
      .send(JSON.stringify(lineItemJson(state, item)));
  });

  router.get(`${BASE}/:id/lineitem`, (req, res) => {
    const holder = authorizeService(state, req, res, [LINEITEM, LINEITEM_READ]);
    const item = holder && columnFor(req, res, holder.clientId);
    if (item) res.type(MEDIA.lineItem).send(JSON.stringify(lineItemJson(state, item)));
  });

  router.put(`${BASE}/:id/lineitem`, json, (req, res) => {
    const holder = authorizeService(state, req, res, [LINEITEM]);
    const item = holder && columnFor(req, res, holder.clientId);
    if (!item) return;
    const parsed = lineItemSchema.safeParse(req.body);
    if (!parsed.success) return refuse(res, 400, issues(parsed.error));
    Object.assign(item, parsed.data);
    res.type(MEDIA.lineItem).send(JSON.stringify(lineItemJson(state, item)));
  });

  router.delete(`${BASE}/:id/lineitem`, (req, res) => {
    const holder = authorizeService(state, req, res, [LINEITEM]);
    const item = holder && columnFor(req, res, holder.clientId);
    if (!item) return;
    state.lineItems.delete(item.id);
    res.status(204).end();
  });

  router.post(`${BASE}/:id/lineitem/scores`, json, (req, res) => {
    const holder = authorizeService(state, req, res, [SCORE]);
    const item = holder && columnFor(req, res, holder.clientId);
    if (!holder || !item) return;
    const rules = scoreRules(state.profile);
    const parsed = scoreSchema.safeParse(req.body);
    if (!parsed.success)
      return rules.refuse(res, rules.invalidStatus, `Incorrect score received: ${issues(parsed.error)}`);
    const s = parsed.data;
    if (s.scoreGiven !== undefined && !(s.scoreMaximum !== undefined && s.scoreMaximum > 0))
      return rules.refuse(
        res,
        rules.unprocessableStatus,
        'ScoreMaximum not supplied when ScoreGiven present.',
      );
    const member = membershipOf(state, item.courseId, s.userId);
    if (!member || !isStudent(member))
      return rules.refuse(
        res,
        rules.unprocessableStatus,
        `User ${s.userId} is not a student in course ${item.courseId}`,
      );
    const key = resultKey(item.id, s.userId);
    const previous = state.results.get(key);
    if (previous && rules.refusesTimestamp(previous.timestamp, s.timestamp))
      return rules.refuse(
        res,
        rules.staleStatus,
        rules.staleMessage(item.id, s.userId, previous.timestamp, s.timestamp),
      );
    const graded =
      s.gradingProgress === 'FullyGraded' ||
      (rules.countsPendingManual && s.gradingProgress === 'PendingManual');
    const result: LmsResult = {
      lineItemId: item.id,
      userId: s.userId,
      // scoreGiven counts only when graded; Moodle keeps it rescaled to the column's maximum.
      resultScore:
        graded && s.scoreGiven !== undefined
          ? (s.scoreGiven / (s.scoreMaximum as number)) * item.scoreMaximum
          : null,
      resultMaximum: item.scoreMaximum,
      comment: s.comment,
      timestamp: rules.storedTimestamp(s.timestamp),
      activityProgress: s.activityProgress,
      gradingProgress: s.gradingProgress,
    };
    state.results.set(key, result);
    state.receivedScores.push({
      lineItemId: item.id,
      courseId: item.courseId,
      clientId: holder.clientId,
      receivedAt: Date.now(),
      score: { ...(req.body as Record<string, unknown>), userId: s.userId, timestamp: s.timestamp },
    });
    const url = agsUrls(state, item.courseId, item.deploymentId, item.id).lineitem as string;
    rules.accept(
      res,
      url.replace('/lineitem?', `/lineitem/results?user_id=${encodeURIComponent(s.userId)}&`),
    );
  });

  router.get(`${BASE}/:id/lineitem/results`, (req, res) => {
    const holder = authorizeService(state, req, res, [RESULT_READ]);
    const item = holder && columnFor(req, res, holder.clientId);
    if (!item) return;
    const userId = typeof req.query.user_id === 'string' ? req.query.user_id : undefined;
    const rules = scoreRules(state.profile);
    const url = agsUrls(state, item.courseId, item.deploymentId, item.id).lineitem as string;
    const results = [...state.results.values()]
      .filter((r) => r.lineItemId === item.id && (!userId || r.userId === userId))
      .map((r) => ({
        id: `${url.replace('/lineitem?', '/lineitem/results?')}&user_id=${encodeURIComponent(r.userId)}`,
        userId: r.userId,
        // Moodle describes a grade of 0 (or none) by its id and user only.
        ...(r.resultScore || (rules.showsZero && r.resultScore !== null)
          ? {
              scoreOf: url,
              resultScore: r.resultScore,
              resultMaximum: r.resultMaximum,
              ...(r.comment ? { comment: r.comment } : {}),
              ...(rules.resultTimestamps ? { timestamp: r.timestamp } : {}),
            }
          : {}),
      }));
    res.type(MEDIA.results).send(JSON.stringify(results));
  });
}

/** For tests and the gradebook page: columns, results and every accepted score, optionally of one course. */
export function gradebookOf(state: LmsState, courseId?: string) {
  for (const tool of state.tools.values())
    for (const c of new Set([...state.memberships.keys(), ...state.resourceLinks.map((l) => l.courseId)]))
      columnsOf(state, tool.clientId, c);
  const inCourse = (c: string) => !courseId || c === courseId;
  const lineItems = [...state.lineItems.values()].filter((l) => inCourse(l.courseId));
  const ids = new Set(lineItems.map((l) => l.id));
  return {
    lineItems: lineItems.map((l) => ({ ...l, url: lineItemJson(state, l).id as string })),
    results: [...state.results.values()].filter((r) => ids.has(r.lineItemId)),
    received: state.receivedScores.filter((r) => inCourse(r.courseId)),
  };
}
export type Gradebook = ReturnType<typeof gradebookOf>;
