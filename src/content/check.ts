import type { ZodIssue } from 'zod';
import { answerSchemas, contentFileSchema, isAllowedVideoUrl, VIDEO_HOSTS, type ContentFile, type Item } from './format.js';

/**
 * Validates a whole content file and reports every problem with its place (e.g.
 * `items[3] (id "frac-7").answer`), so an author fixes a file in one round, not one error at a time.
 * Markdown (unsafe HTML, nesting, time to render) is checked where it is rendered: rendering.ts.
 */
export type ProblemKind = 'format' | 'duplicate_id' | 'unknown_reference' | 'prerequisite_cycle' | 'answer_key' | 'unsafe_html' | 'markdown' | 'video_url';
export interface Problem {
  kind: ProblemKind;
  place: string;
  message: string;
}

export interface CheckContext {
  /** Skills and items already visible where the file goes (tenant-wide content, for a course import). */
  knownSkills?: Iterable<string>;
  knownItems?: Iterable<string>;
}

export type CheckResult = { ok: true; content: ContentFile } | { ok: false; problems: Problem[] };

export function checkContent(input: unknown, ctx: CheckContext = {}): CheckResult {
  const parsed = contentFileSchema.safeParse(input);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => formatProblem(input, i)) };
  const content = parsed.data;
  const problems = [
    ...duplicates(content),
    ...references(content, ctx),
    ...cycles(content),
    ...content.items.flatMap((item, i) => answerKeyProblems(item, placeOf('items', i, item.id))),
  ];
  return problems.length ? { ok: false, problems } : { ok: true, content };
}

const placeOf = (list: string, index: number, id?: string) => `${list}[${index}]${id ? ` (id "${id}")` : ''}`;

function formatProblem(input: unknown, issue: ZodIssue): Problem {
  const [list, index, ...rest] = issue.path;
  let place = issue.path.join('.') || 'file';
  if (typeof list === 'string' && typeof index === 'number') {
    const record = (input as Record<string, { id?: unknown }[]>)[list]?.[index];
    const id = typeof record?.id === 'string' ? record.id : undefined;
    place = placeOf(list, index, id) + rest.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
  }
  return { kind: 'format', place, message: issue.message };
}

function duplicates(c: ContentFile): Problem[] {
  const out: Problem[] = [];
  for (const list of ['skills', 'items', 'pathways'] as const) {
    const first = new Map<string, number>();
    c[list].forEach((r, i) => {
      const seen = first.get(r.id);
      if (seen === undefined) first.set(r.id, i);
      else out.push({ kind: 'duplicate_id', place: placeOf(list, i, r.id), message: `the id "${r.id}" is already used by ${list}[${seen}]` });
    });
  }
  for (const [i, item] of c.items.entries()) {
    const ids = (item.choices ?? []).map((ch) => ch.id);
    const dup = ids.find((x, k) => ids.indexOf(x) !== k);
    if (dup) out.push({ kind: 'duplicate_id', place: `${placeOf('items', i, item.id)}.choices`, message: `the choice id "${dup}" appears twice` });
  }
  return out;
}

function references(c: ContentFile, ctx: CheckContext): Problem[] {
  const skills = new Set([...(ctx.knownSkills ?? []), ...c.skills.map((s) => s.id)]);
  const items = new Set([...(ctx.knownItems ?? []), ...c.items.map((s) => s.id)]);
  const out: Problem[] = [];
  const check = (place: string, refs: string[], known: Set<string>, what: string) => {
    for (const ref of refs) if (!known.has(ref)) out.push({ kind: 'unknown_reference', place, message: `no ${what} has the id "${ref}"` });
  };
  c.skills.forEach((s, i) => check(`${placeOf('skills', i, s.id)}.prerequisites`, s.prerequisites, skills, 'skill'));
  c.items.forEach((it, i) => check(`${placeOf('items', i, it.id)}.skills`, it.skills, skills, 'skill'));
  c.pathways.forEach((p, i) => {
    check(`${placeOf('pathways', i, p.id)}.skills`, p.skills, skills, 'skill');
    check(`${placeOf('pathways', i, p.id)}.items`, p.items, items, 'item');
  });
  return out;
}

/** Every prerequisite cycle, each named by its skills in order (a → b → a). */
function cycles(c: ContentFile): Problem[] {
  const prereqs = new Map(c.skills.map((s) => [s.id, s.prerequisites]));
  const index = new Map(c.skills.map((s, i) => [s.id, i]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const out: Problem[] = [];
  const visit = (id: string) => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const p of prereqs.get(id) ?? []) {
      if (state.get(p) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(p)), p];
        out.push({
          kind: 'prerequisite_cycle',
          place: `${placeOf('skills', index.get(p)!, p)}.prerequisites`,
          message: `prerequisites form a cycle: ${cycle.join(' → ')}`,
        });
      } else if (!state.has(p) && prereqs.has(p)) visit(p);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const s of c.skills) if (!state.has(s.id)) visit(s.id);
  return out;
}

function answerKeyProblems(item: Item, place: string): Problem[] {
  const problem = (message: string, at = '.answer'): Problem => ({ kind: 'answer_key', place: place + at, message });
  if (item.type === 'reading' || item.type === 'video') {
    const out: Problem[] = [];
    if (item.answer !== undefined) out.push(problem(`a ${item.type} item has no answer key; remove "answer"`));
    if (item.choices) out.push(problem(`a ${item.type} item has no choices; remove "choices"`, '.choices'));
    if (item.type === 'video' && !item.videoUrl) out.push({ kind: 'video_url', place: `${place}.videoUrl`, message: 'a video item needs videoUrl' });
    else if (item.type === 'video' && !isAllowedVideoUrl(item.videoUrl!)) {
      out.push({ kind: 'video_url', place: `${place}.videoUrl`, message: `videoUrl must be an https embed URL on ${VIDEO_HOSTS.join(', ')}` });
    }
    return out;
  }
  const parsed = answerSchemas[item.type].safeParse(item.answer);
  const shape = { multiple_choice: '{ "correct": ["choice id", …] }', numeric: '{ "value": number, "tolerance"?: number, "unit"?: string }', short_text: '{ "accepted": ["answer", …] }' }[item.type];
  if (!parsed.success) {
    return [problem(`the answer key does not match type ${item.type}: expected ${shape} (${parsed.error.issues.map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`).join('; ')})`)];
  }
  const out: Problem[] = [];
  if (item.videoUrl) out.push(problem(`only video items have videoUrl`, '.videoUrl'));
  if (item.type !== 'multiple_choice') {
    if (item.choices) out.push(problem(`only multiple choice items have choices`, '.choices'));
    return out;
  }
  const choices = item.choices ?? [];
  if (choices.length < 2) out.push(problem('a multiple choice item needs at least two choices', '.choices'));
  const { correct, weights } = parsed.data as { correct: string[]; weights?: Record<string, number> };
  const ids = new Set(choices.map((ch) => ch.id));
  for (const c of correct) if (!ids.has(c)) out.push(problem(`the correct choice "${c}" is not one of the choices`));
  for (const c of Object.keys(weights ?? {})) if (!ids.has(c)) out.push(problem(`the weighted choice "${c}" is not one of the choices`));
  // With weights, several single-pick choices may each earn full marks (as in Moodle).
  if (!item.multiple && !weights && correct.length > 1) out.push(problem('several correct choices need "multiple": true'));
  return out;
}

