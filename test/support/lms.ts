import { startDevLms, type DevLms, type DevLmsOptions } from '../../src/devlms/index.js';

export type { DevLms } from '../../src/devlms/index.js';

/** A dev LMS for tests: random port on 127.0.0.1, pointed at the tool under test. */
export function startTestLms(
  toolUrl: string,
  opts: Partial<Omit<DevLmsOptions, 'toolUrl'>> = {},
): Promise<DevLms> {
  return startDevLms({ port: 0, ...opts, toolUrl });
}
