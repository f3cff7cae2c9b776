import { isPreview, learnerRecord, type CourseScope } from '../activity/index.js';
import { searchItems } from '../content/catalog.js';
import { SCORE_MAXIMUM } from '../content/deep_link.js';
import type { Item, Pathway } from '../content/format.js';
import type { LaunchContext } from '../lti/session.js';
import { DEFAULT_RULE, itemShare, parseRule, pathwayProgress, pathwayShare, toScore } from './evidence.js';
import { GradeLink, type GradeLinkRef, type GradingRule } from './model.js';
import { submitRespectingOverride } from './override.js';
import { recordSkipped } from './submit.js';

/** What a resource link opens, as the player resolved it: the thing being graded. */
export type GradeTarget = { kind: 'pathway'; pathway: Pathway } | { kind: 'item'; item: Item };

/** A link's rule may also come from the LMS: custom parameter `wayfinder_grading=mastery:2/3|points`. */
export const GRADING_CUSTOM = 'wayfinder_grading';

const ruleId = (scope: CourseScope, resourceLinkId: string) =>
  `rule:${scope.tenantId}/${scope.courseId}/${resourceLinkId}`;

/** Sets how a resource link is graded (kept apart from the link's line item cache). */
export async function setGradingRule(
  scope: CourseScope,
  resourceLinkId: string,
  rule: GradingRule,
): Promise<void> {
  await GradeLink.replaceOne(
    { _id: ruleId(scope, resourceLinkId) },
    { _id: ruleId(scope, resourceLinkId), ...scope, resourceLinkId, rule, updatedAt: new Date() },
    { upsert: true },
  );
}

/** The link's rule: set by a teacher, else from the LMS's custom parameter, else k=2 of the last n=3. */
export async function gradingRuleFor(
  scope: CourseScope,
  resourceLinkId: string,
  custom: Record<string, unknown> = {},
): Promise<GradingRule> {
  const stored = await GradeLink.findById(ruleId(scope, resourceLinkId)).lean<GradeLink>();
  if (stored?.rule) return stored.rule;
  const fromLms =
    typeof custom[GRADING_CUSTOM] === 'string' ? parseRule(custom[GRADING_CUSTOM] as string) : undefined;
  return fromLms ?? DEFAULT_RULE;
}

async function scoreFor(launch: LaunchContext, target: GradeTarget) {
  const scope = { tenantId: launch.tenantId, courseId: launch.courseId };
  const history = await learnerRecord(scope, launch.sub);
  if (target.kind === 'item') return toScore(itemShare(history, target.item.id), SCORE_MAXIMUM, 'Completed');
  const items = new Map((await searchItems(scope)).map((i) => [i.id, i]));
  const rule = await gradingRuleFor(scope, launch.resourceLinkId as string, launch.custom);
  const share = pathwayShare(
    history,
    {
      items: target.pathway.items,
      skills: target.pathway.skills,
      skillsOfItem: (id) => items.get(id)?.skills ?? [],
    },
    rule,
  );
  return toScore(share, SCORE_MAXIMUM, pathwayProgress(history, target.pathway.items));
}

/**
 * Recomputes a learner's grade for the launched resource link from their recorded activity and
 * queues it for the LMS. Called by the player after it records an answer. A launch without a
 * resource link or AGS claim has nowhere to send a grade; LMS test users and teachers previewing
 * as students get their grade recorded as not sent, never sent; under a teacher's grade override
 * it is withheld until the override is reverted.
 */
export async function gradeAfterActivity(
  launch: LaunchContext,
  target: GradeTarget,
): Promise<'queued' | 'overridden' | 'skipped' | 'ungraded'> {
  if (launch.messageType !== 'LtiResourceLinkRequest' || !launch.resourceLinkId || !launch.ags)
    return 'ungraded';
  const thing = target.kind === 'pathway' ? target.pathway : target.item;
  const link: GradeLinkRef = {
    resourceLinkId: launch.resourceLinkId,
    label: thing.title,
    resourceId: `${target.kind}:${thing.id}`,
    tag: `wayfinder-${target.kind}`,
    ...(launch.ags.lineitem ? { lineItemUrl: launch.ags.lineitem } : {}),
    ...(launch.ags.lineitems ? { lineItemsUrl: launch.ags.lineitems } : {}),
    scopes: launch.ags.scope ?? [],
  };
  const change = {
    tenantId: launch.tenantId,
    courseId: launch.courseId,
    issuer: launch.issuer,
    clientId: launch.clientId,
    sub: launch.sub,
    name: launch.name,
    link,
    score: await scoreFor(launch, target),
  };
  if (isPreview(launch)) {
    await recordSkipped(
      change,
      launch.testUser
        ? 'test user (e.g. Student View): no grade is sent'
        : `preview as ${launch.role}: no grade is sent`,
    );
    return 'skipped';
  }
  // A teacher's grade override stands over the evidence until reverted.
  return submitRespectingOverride(change);
}
