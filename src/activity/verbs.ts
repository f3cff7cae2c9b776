/**
 * The fixed verb vocabulary. Statements store the short name (stable, cheap to group by); the IRI
 * is derived at export time: ADL's where ADL defines the verb, Wayfinder's own under the tool's
 * public URL otherwise, so the IRI stays resolvable if the tool moves.
 */
export const VERBS = [
  'launched',
  'viewed',
  'attempted',
  'answered',
  'completed',
  'mastered',
  'skipped',
  'recommendation-shown',
  'recommendation-followed',
  'preview-reset',
  'override',
] as const;

export type Verb = (typeof VERBS)[number];

/**
 * What a learner's browser may post to `/api/activity`: nothing any grade, mastery, progress or
 * dashboard figure reads. Answers and completions are recorded by the server after its own answer
 * checking (content/player.ts), overrides by the teacher's action, recommendations by the engine;
 * accepting them from the client would let a learner write their own grade (issue 14, finding 2).
 */
export const LEARNER_VERBS = ['viewed', 'attempted', 'skipped'] as const satisfies readonly Verb[];

const ADL_VERBS: ReadonlySet<Verb> = new Set<Verb>(['launched', 'attempted', 'answered', 'completed', 'mastered']);

export function verbIri(verb: Verb, publicUrl: string): string {
  return ADL_VERBS.has(verb) ? `http://adlnet.gov/expapi/verbs/${verb}` : `${publicUrl}/xapi/verbs/${verb}`;
}
