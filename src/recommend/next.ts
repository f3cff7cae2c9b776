import { randomUUID } from 'node:crypto';
import { isPreview, learnerRecord, recordForLaunch } from '../activity/index.js';
import { listSkills, searchItems } from '../content/catalog.js';
import type { Item, Pathway, Skill } from '../content/format.js';
import type { LaunchContext } from '../lti/session.js';
import type { StatementLike } from './data/activity.js';
import { interactionsFromHistory, isGraded, itemRef } from './data/activity.js';
import { DEFAULT_POLICY_SETTINGS, decide, POLICY_VERSION, type Decision, type PolicyItem, type PolicySettings, type Step } from './policy.js';
import type { Predictor } from './predictor.js';
import { predictorFor } from './predictor.js';
import { reasonFor, type Reason } from './reasons.js';

/**
 * The policy in the product: the learner's statements → steps and interactions, the serving
 * model's predictions, the decision, its reason, and a `recommendation-shown` statement.
 * The simulator goes through `pathwayDecision` too, with its own statements and predictor.
 */

/** The policy's view of a pathway: its items in authored order and the skill DAG. */
export interface PathwayView {
  pathway: Pick<Pathway, 'id' | 'items' | 'settings'>;
  items: Map<string, Item>;
  prerequisites: Map<string, string[]>;
}

export function pathwayView(pathway: PathwayView['pathway'], items: Iterable<Item>, skills: Iterable<Skill>): PathwayView {
  return { pathway, items: new Map([...items].map((i) => [i.id, i])), prerequisites: new Map([...skills].map((s) => [s.id, s.prerequisites])) };
}

/** The pathway's own settings (edited by teachers) over the policy defaults. */
export function settingsFor(pathway: PathwayView['pathway']): PolicySettings {
  return { ...DEFAULT_POLICY_SETTINGS, ...pathway.settings };
}

/** What the learner did on this pathway's items, oldest first: answers (correct or not) and completions. */
export function stepsFromStatements(history: readonly StatementLike[], inPathway: Set<string>): Step[] {
  return history
    .filter((s) => s.object.kind === 'item' && inPathway.has(s.object.id) && (s.verb === 'answered' || s.verb === 'completed'))
    .map((s) => ({ itemId: s.object.id, correct: s.verb === 'answered' && typeof s.result?.success === 'boolean' ? s.result.success : undefined }));
}

/** Decisions for several learners in one pathway with one batched prediction; shared by the player and the simulator. */
export async function pathwayDecisions(
  view: PathwayView,
  learners: { history: readonly StatementLike[]; current?: string; rng?: () => number }[],
  predictor: Predictor,
): Promise<(Decision | undefined)[]> {
  const ids = view.pathway.items.filter((id) => view.items.has(id));
  const items: PolicyItem[] = ids.map((id) => {
    const item = view.items.get(id)!;
    return { id, skills: item.skills, graded: isGraded(item) };
  });
  const gradedRefs = items.filter((i) => i.graded).map((i) => itemRef(view.items.get(i.id)!));
  const predictions = await predictor.predict(learners.map((l) => ({ history: interactionsFromHistory(l.history, view.items), candidates: gradedRefs })));
  const settings = settingsFor(view.pathway);
  const inPathway = new Set(ids);
  return learners.map((l, n) =>
    decide({
      items,
      prerequisites: view.prerequisites,
      steps: stepsFromStatements(l.history, inPathway),
      predicted: new Map(gradedRefs.map((r, i) => [r.itemId, predictions[n][i]])),
      current: l.current,
      settings,
      rng: l.rng ?? Math.random,
    }),
  );
}

/** One learner's decision (the player's case). */
export async function pathwayDecision(view: PathwayView, history: readonly StatementLike[], predictor: Predictor, o: { current?: string; rng?: () => number } = {}): Promise<Decision | undefined> {
  return (await pathwayDecisions(view, [{ history, ...o }], predictor))[0];
}

export interface Recommendation {
  itemId: string;
  reason: Reason;
  recommendationId: string;
  decision: Decision;
  modelVersion: string;
}

/** The launch fields a recommendation needs (who, where, and the language of the reason). */
type Launch = Pick<LaunchContext, 'tenantId' | 'courseId' | 'issuer' | 'sub' | 'role' | 'testUser' | 'launchId' | 'resourceLinkId' | 'locale'>;

const skillNameIn = (skills: Skill[], locale: string | undefined) => (id: string) => {
  const skill = skills.find((s) => s.id === id);
  if (!skill) return id;
  return (locale?.toLowerCase().startsWith('zh') ? skill.translations?.['zh-Hans']?.name : undefined) ?? skill.name;
};

/** "Next up" for the launched learner in a pathway; records it as `recommendation-shown`. */
export async function recommendNext(launch: Launch, pathway: Pathway, o: { current?: string } = {}): Promise<Recommendation | undefined> {
  const scope = { tenantId: launch.tenantId, courseId: launch.courseId };
  const [items, skills, history, predictor] = await Promise.all([searchItems(scope), listSkills(scope), learnerRecord(scope, launch.sub, { includePreview: isPreview(launch) }), predictorFor(scope.tenantId, scope.courseId)]);
  const decision = await pathwayDecision(pathwayView(pathway, items, skills), history, predictor, o);
  if (!decision) return undefined;
  const reason = reasonFor(decision, skillNameIn(skills, launch.locale)(decision.skill));
  const recommendationId = randomUUID();
  await recordForLaunch(launch, [
    {
      id: recommendationId,
      verb: 'recommendation-shown',
      object: { id: decision.itemId, kind: 'item' },
      context: {
        recommendationId,
        extensions: {
          pathway: pathway.id,
          predictedSuccess: decision.predicted ?? null,
          modelVersion: predictor.version,
          policyVersion: POLICY_VERSION,
          kind: decision.kind,
          skill: decision.skill,
          reason,
        },
      },
    },
  ]);
  return { itemId: decision.itemId, reason, recommendationId, decision, modelVersion: predictor.version };
}

/** The learner opened a recommended item: `recommendation-followed`, tied to the recommendation. */
export async function recordFollowed(launch: Launch, itemId: string, recommendationId: string): Promise<void> {
  await recordForLaunch(launch, [{ verb: 'recommendation-followed', object: { id: itemId, kind: 'item' }, context: { recommendationId } }]);
}
