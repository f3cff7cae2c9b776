import type { Item, Pathway, Skill } from './format.js';
import type { Locale } from '../web/i18n.js';

/**
 * The learner-facing text of a record in the page's language: an item written in one language
 * carries the others under `translations`; missing fields fall back to the original.
 */
export interface ShownItem {
  id: string;
  type: Item['type'];
  title: string;
  body: string;
  hints: string[];
  feedback: { correct?: string; incorrect?: string };
  choices: { id: string; text: string; feedback?: string }[];
  multiple: boolean;
  videoUrl?: string;
  estimatedMinutes?: number;
  lang: string;
}

export function showItem(item: Item, locale: Locale): ShownItem {
  const tr = item.language === locale ? undefined : item.translations?.[locale];
  return {
    id: item.id,
    type: item.type,
    title: tr?.title ?? item.title,
    body: tr?.body ?? item.body,
    hints: tr?.hints ?? item.hints,
    feedback: { ...item.feedback, ...tr?.feedback },
    choices: (item.choices ?? []).map((c) => ({ ...c, text: tr?.choices?.[c.id] ?? c.text })),
    multiple: item.multiple ?? false,
    videoUrl: item.videoUrl,
    estimatedMinutes: item.estimatedMinutes,
    lang: tr ? locale : item.language,
  };
}

export function pathwayTitle(p: Pathway, locale: Locale): { title: string; description?: string } {
  const tr = p.translations?.[locale];
  return { title: tr?.title ?? p.title, description: tr?.description ?? p.description };
}

export function skillName(s: Skill, locale: Locale): string {
  return s.translations?.[locale]?.name ?? s.name;
}
