import { randomBytes } from 'node:crypto';

/**
 * A fresh database name on the run's one embedded server (started by scripts/test.ts), so test
 * files never see each other's data.
 */
export function freshDatabaseUri(label = 'test'): string {
  const base = process.env.WAYFINDER_TEST_MONGODB_URI;
  if (!base) throw new Error('WAYFINDER_TEST_MONGODB_URI is not set: run the suite with `npm test`');
  return `${base.replace(/\/?$/, '/')}wf_${label.replace(/\W/g, '_').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
}
