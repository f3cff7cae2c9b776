import { readFileSync } from 'node:fs';
import type { Router } from 'express';
import type { LaunchOptions } from './types.js';

/**
 * Platform storage in the dev LMS: the launcher page (the tool iframe's parent) answers the 1EdTech
 * postMessage storage messages, so cookie-less launches can be tried by a person and by tests.
 * `on` also announces it with `lti_storage_target=_parent` in the login initiation (as Sakai does);
 * `capabilities` answers without announcing, so the tool has to detect it with `lti.capabilities`.
 */
export type PlatformStorageMode = 'off' | 'on' | 'capabilities';

export const PLATFORM_STORAGE_SCRIPT = '/dev/lms/assets/platform-storage.js';
export const STORAGE_TARGET = '_parent';

const script = readFileSync(new URL('./assets/platform_storage.js', import.meta.url), 'utf8');

export function platformStorageMode(o: Pick<LaunchOptions, 'platformStorage'>): PlatformStorageMode {
  if (o.platformStorage === true) return 'on';
  return o.platformStorage === 'capabilities' ? 'capabilities' : 'off';
}

/** The login initiation parameters platform storage adds. */
export function storageLoginParams(o: Pick<LaunchOptions, 'platformStorage'>): Record<string, string> {
  return platformStorageMode(o) === 'on' ? { lti_storage_target: STORAGE_TARGET } : {};
}

export function platformStorageRoutes(router: Router): void {
  router.get(PLATFORM_STORAGE_SCRIPT, (_req, res) => {
    res.type('application/javascript').set('Cache-Control', 'no-store').send(script);
  });
}
