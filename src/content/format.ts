import { z } from 'zod';

/**
 * The content file format (`wayfinder-content/1`), as zod schemas. `content.schema.json` documents
 * the same shape for authors; this file is what imports are checked against. Rules that span
 * several records (duplicates, references, cycles, answer keys per type, unsafe HTML) live in
 * `check.ts`, so a file with many mistakes gets every one of them reported, each with its place.
 */
export const FORMAT = 'wayfinder-content/1';
export const ITEM_TYPES = ['multiple_choice', 'numeric', 'short_text', 'reading', 'video'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];
/** Languages content may be written in; the same as the page locales. */
export const CONTENT_LANGUAGES = ['en', 'zh-Hans'] as const;
export type ContentLanguage = (typeof CONTENT_LANGUAGES)[number];

const id = z
  .string()
  .regex(/^[A-Za-z0-9][\w.-]{0,99}$/, 'ids are 1–100 letters, digits, "_", "." or "-", starting with a letter or digit');
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
const language = z.enum(CONTENT_LANGUAGES, { errorMap: () => ({ message: `expected one of ${CONTENT_LANGUAGES.join(', ')}` }) });

const skillTranslation = z.object({ name: text(200), description: z.string().max(2000).optional() }).strict();
export const skillSchema = z
  .object({
    id,
    name: text(200),
    description: z.string().max(2000).optional(),
    prerequisites: z.array(id).default([]),
    translations: z.record(language, skillTranslation).optional(),
  })
  .strict();

const feedback = z.object({ correct: z.string().max(4000).optional(), incorrect: z.string().max(4000).optional() }).strict();
const choice = z.object({ id, text: text(1000), feedback: z.string().max(2000).optional() }).strict();
const itemTranslation = z
  .object({
    title: text(300).optional(),
    body: z.string().max(50_000).optional(),
    hints: z.array(z.string().max(4000)).optional(),
    feedback: feedback.optional(),
    /** Choice texts by choice id. */
    choices: z.record(z.string(), text(1000)).optional(),
  })
  .strict();

export const itemSchema = z
  .object({
    id,
    title: text(300),
    type: z.enum(ITEM_TYPES, { errorMap: () => ({ message: `expected one of ${ITEM_TYPES.join(', ')}` }) }),
    body: z.string().max(50_000).default(''),
    skills: z.array(id).default([]),
    /** 0 (easiest) to 1 (hardest); the recommender learns its own estimate when absent. */
    difficulty: z.number().min(0).max(1).optional(),
    estimatedMinutes: z.number().positive().max(600).optional(),
    language: language.default('en'),
    /** Multiple choice only: the options shown; which are correct is in `answer`. */
    choices: z.array(choice).optional(),
    /** Multiple choice only: checkboxes (several may be correct) instead of radio buttons. */
    multiple: z.boolean().optional(),
    /** The answer key; its shape depends on `type` (checked in check.ts). Never sent to browsers. */
    answer: z.unknown().optional(),
    /** Video only: an embeddable URL on an allow-listed host. */
    videoUrl: z.string().optional(),
    hints: z.array(z.string().max(4000)).default([]),
    feedback: feedback.default({}),
    translations: z.record(language, itemTranslation).optional(),
  })
  .strict();

const pathwayTranslation = z.object({ title: text(300), description: z.string().max(4000).optional() }).strict();
export const pathwaySchema = z
  .object({
    id,
    title: text(300),
    description: z.string().max(4000).optional(),
    skills: z.array(id).default([]),
    /** In authored order: the order "Next up" follows until the recommender takes over. */
    items: z.array(id).min(1, 'a pathway needs at least one item'),
    /** What "done" means, in words for the teacher and learner. */
    masteryGoal: z.string().max(1000).optional(),
    settings: z
      .object({
        masteryThreshold: z.number().min(0).max(1).default(0.8),
        difficultyTarget: z.number().min(0).max(1).default(0.7),
      })
      .strict()
      .default({}),
    translations: z.record(language, pathwayTranslation).optional(),
  })
  .strict();

export const contentFileSchema = z
  .object({
    format: z.literal(FORMAT, { errorMap: () => ({ message: `expected "${FORMAT}"` }) }),
    skills: z.array(skillSchema).default([]),
    items: z.array(itemSchema).default([]),
    pathways: z.array(pathwaySchema).default([]),
  })
  .strict();

export type Skill = z.infer<typeof skillSchema>;
export type Item = z.infer<typeof itemSchema>;
export type Pathway = z.infer<typeof pathwaySchema>;
export type ContentFile = z.infer<typeof contentFileSchema>;

/** Answer keys by item type. */
export const answerSchemas = {
  multiple_choice: z
    .object({
      correct: z.array(id).min(1, 'name at least one correct choice id'),
      /**
       * Imported banks (Moodle's answer grades): the fraction of the marks each picked choice earns,
       * -1 to 1; the score is their sum kept within 0–1, full marks only at 1. Without it, each wrong
       * pick cancels a right one.
       */
      weights: z.record(id, z.number().min(-1).max(1)).optional(),
    })
    .strict(),
  numeric: z
    .object({
      value: z.number(),
      tolerance: z.number().min(0).default(0),
      unit: z.string().max(40).optional(),
      /** Other spellings of the unit, e.g. "厘米" for "cm". */
      unitAliases: z.array(z.string().max(40)).default([]),
      /** Other units with Moodle's multiplier: a response in that unit is divided by it (`{ "cm": 100 }` for an answer in m). */
      unitMultipliers: z.record(z.string().min(1).max(40), z.number().positive()).optional(),
      /**
       * Moodle's unit grading, for imported questions: when set, a right number whose unit is missing
       * or wrong scores 1 − unitPenalty (0: units are not graded). When absent, a missing unit is
       * accepted and a different one is not.
       */
      unitPenalty: z.number().min(0).max(1).optional(),
    })
    .strict(),
  short_text: z
    .object({
      accepted: z.array(text(500)).min(1, 'list at least one accepted answer'),
      /**
       * normalised (the default): width, case, spacing and sentence punctuation never count.
       * exact: only surrounding spaces are ignored (Canvas); wildcard: exact, and "*" stands for any
       * text (a backslash before it for a star itself), as Moodle compares short answers.
       */
      match: z.enum(['normalised', 'exact', 'wildcard']).default('normalised'),
      /** exact and wildcard only: upper and lower case differ. */
      caseSensitive: z.boolean().default(false),
    })
    .strict(),
} as const;
export type MultipleChoiceKey = z.infer<(typeof answerSchemas)['multiple_choice']>;
export type NumericKey = z.infer<(typeof answerSchemas)['numeric']>;
export type ShortTextKey = z.infer<(typeof answerSchemas)['short_text']>;

/** Hosts whose embed URLs the player may frame. */
export const VIDEO_HOSTS = ['www.youtube-nocookie.com', 'www.youtube.com', 'player.vimeo.com'] as const;

export function isAllowedVideoUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && (VIDEO_HOSTS as readonly string[]).includes(u.hostname);
  } catch {
    return false;
  }
}
