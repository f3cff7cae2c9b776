/**
 * The shapes both data paths share once loaded: the benchmark files (DKVMN format) and,
 * later, the activity log (statements → interactions) produce these, and everything
 * downstream (episodes, models, evaluation, serving) only sees these.
 */

/** An item as the models see it: id, skill tags and optional cheap content features. */
export interface ItemRef {
  itemId: string;
  /** Skill (knowledge component) ids the item is tagged with; may be empty. */
  skills: string[];
  /** Cheap content features (e.g. text length, choice count), same order for every item. */
  features?: number[];
}

/** One attempt by a learner at an item. */
export interface Interaction extends ItemRef {
  correct: boolean;
}

/** All interactions of one learner, in the order they happened. */
export interface LearnerSequence {
  learnerId: string;
  interactions: Interaction[];
}

export interface Dataset {
  name: string;
  learners: LearnerSequence[];
}

/** One row of an interaction list, as the activity log will export it. */
export interface InteractionRow extends Interaction {
  learnerId: string;
}

/** Groups an interaction list (already in time order) into learner sequences, keeping first-seen learner order. */
export function datasetFromInteractions(name: string, rows: Iterable<InteractionRow>): Dataset {
  const byLearner = new Map<string, Interaction[]>();
  for (const row of rows) {
    let list = byLearner.get(row.learnerId);
    if (!list) byLearner.set(row.learnerId, (list = []));
    list.push({ itemId: row.itemId, skills: row.skills, features: row.features, correct: row.correct });
  }
  return { name, learners: [...byLearner].map(([learnerId, interactions]) => ({ learnerId, interactions })) };
}
