import type { Pathway } from './format.js';
import { importContent } from './import.js';
import type { Scope } from './model.js';
import { libraryFor, scopeContent } from './store.js';

/**
 * A teacher's edit of one pathway's settings (mastery threshold, difficulty target) for their
 * course. It goes through the ordinary import, so the same checks apply and the write is the
 * same new-version-then-switch-pointer step. A pathway from the tenant's shared library gets a
 * course copy carrying the new settings (a course record wins over the shared one), so other
 * courses keep theirs.
 */
export type PathwaySettings = Pathway['settings'];

export async function setPathwaySettings(scope: Required<Scope>, pathwayId: string, settings: PathwaySettings): Promise<Pathway | undefined> {
  const [own, visible] = await Promise.all([scopeContent(scope), libraryFor(scope)]);
  const current = own.pathways.find((p) => p.id === pathwayId) ?? visible.pathways.get(pathwayId);
  if (!current) return undefined;
  const updated: Pathway = { ...current, settings: { ...current.settings, ...settings } };
  const pathways = [...own.pathways.filter((p) => p.id !== pathwayId), updated];
  await importContent(JSON.stringify({ ...own, pathways }), 'json', scope, `pathway settings of ${pathwayId}`);
  return updated;
}
