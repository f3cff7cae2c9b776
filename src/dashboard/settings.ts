import { z } from 'zod';
import { listPathways } from '../content/catalog.js';
import { pathwayTitle } from '../content/localise.js';
import { setPathwaySettings } from '../content/pathway_settings.js';
import type { Locale } from '../web/i18n.js';
import { AppError } from '../web/errors.js';

/** Pathway settings as the teacher's settings page shows and edits them (percentages in the form). */
export interface PathwaySettingsView {
  id: string;
  title: string;
  masteryPct: number;
  difficultyPct: number;
}

export async function pathwaySettings(scope: { tenantId: string; courseId: string }, locale: Locale): Promise<PathwaySettingsView[]> {
  return (await listPathways(scope)).map((p) => ({
    id: p.id,
    title: pathwayTitle(p, locale).title,
    masteryPct: Math.round((p.settings?.masteryThreshold ?? 0.8) * 100),
    difficultyPct: Math.round((p.settings?.difficultyTarget ?? 0.7) * 100),
  }));
}

const pct = (what: string) =>
  z.coerce
    .number({ invalid_type_error: `${what} must be a number from 50 to 100` })
    .int(`${what} must be a whole number`)
    .min(50, `${what} must be at least 50`)
    .max(100, `${what} must be at most 100`);

export const settingsForm = z.object({
  ltik: z.string().optional(),
  pathway: z.string().min(1, 'choose a pathway'),
  masteryPct: pct('the mastery threshold'),
  difficultyPct: pct('the difficulty target').refine((v) => v <= 95, 'the difficulty target must be at most 95'),
});

export async function savePathwaySettings(scope: { tenantId: string; courseId: string }, form: z.infer<typeof settingsForm>): Promise<void> {
  const saved = await setPathwaySettings(scope, form.pathway, {
    masteryThreshold: form.masteryPct / 100,
    difficultyTarget: form.difficultyPct / 100,
  });
  if (!saved) throw new AppError('NOT_FOUND', `this course has no pathway ${form.pathway}`);
}
