import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tenantId } from '../lti/tenancy.js';
import { importContent, type ImportResult } from './import.js';
import { Pointer, scopeKey, Version } from './model.js';

/**
 * The bundled demo course (13 skills, 65 items in English with Simplified Chinese translations,
 * 4 pathways). It lives in the dev LMS's tenant as shared content, so every dev course sees it.
 */
export const DEMO_FILE = new URL('./demo/algebra-readiness.json', import.meta.url);

/** The dev LMS started beside the tool (see main.ts) registers as this platform and deployment. */
export function devLmsTenant(devLmsPort: number): string {
  return tenantId(`http://127.0.0.1:${devLmsPort}`, 'wayfinder-dev', '1');
}

/** Loads the demo into a tenant's shared library unless that exact demo is already its content. */
export async function seedDemoContent(tenant: string): Promise<ImportResult | 'unchanged'> {
  const text = await readFile(DEMO_FILE, 'utf8');
  const source = `demo:${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
  const pointer = await Pointer.findOne({ _id: scopeKey({ tenantId: tenant }), tenantId: tenant }).lean();
  const current = pointer && (await Version.findOne({ _id: pointer.versionId, tenantId: tenant }).lean());
  if (current?.source === source) return 'unchanged';
  return importContent(text, 'json', { tenantId: tenant }, source);
}
