import type { Item, ItemType, Pathway, Skill } from './format.js';
import type { Scope } from './model.js';
import { libraryFor } from './store.js';

/**
 * Lookups other areas call (recommender, dashboards, grades). Every one is scoped to a tenant and,
 * for course content, a course; tenant-wide content is visible in every course of the tenant.
 * Returned items carry their answer keys: never send them to a browser as they are.
 */
export async function findItem(scope: Scope, itemId: string): Promise<Item | undefined> {
  return (await libraryFor(scope)).items.get(itemId);
}

export async function findPathway(scope: Scope, pathwayId: string): Promise<Pathway | undefined> {
  return (await libraryFor(scope)).pathways.get(pathwayId);
}

export async function listPathways(scope: Scope): Promise<Pathway[]> {
  return [...(await libraryFor(scope)).pathways.values()];
}

export async function listSkills(scope: Scope): Promise<Skill[]> {
  return [...(await libraryFor(scope)).skills.values()];
}

/** The skills an item practises, with their prerequisites' ids. */
export async function skillsOf(scope: Scope, itemId: string): Promise<Skill[]> {
  const lib = await libraryFor(scope);
  const item = lib.items.get(itemId);
  return (item?.skills ?? []).map((id) => lib.skills.get(id)).filter((s): s is Skill => s !== undefined);
}

export interface ItemQuery {
  /** Words to find in the title or body, in any language the item has. */
  q?: string;
  skill?: string;
  type?: ItemType;
}

export async function searchItems(scope: Scope, query: ItemQuery = {}): Promise<Item[]> {
  const words = (query.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  return [...(await libraryFor(scope)).items.values()].filter((it) => {
    if (query.type && it.type !== query.type) return false;
    if (query.skill && !it.skills.includes(query.skill)) return false;
    if (!words.length) return true;
    const haystack = [it.id, it.title, it.body, ...Object.values(it.translations ?? {}).flatMap((t) => [t.title ?? '', t.body ?? ''])].join(' ').toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}
