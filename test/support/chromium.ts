import { spawnSync } from 'node:child_process';
import { isExecutableFile, which } from '../../src/cli/which.js';

/**
 * Where the browser tests' Chromium comes from: CHROMIUM_PATH when set; else a Chromium or Chrome
 * on PATH; else, when running as root with apt, Debian's `chromium` package is installed; else a
 * one-line explanation of what to install, and the browser tests are reported as not run.
 */
export type ChromiumSource = { path: string; how: 'CHROMIUM_PATH' | 'found' | 'installed' } | { missing: string };

export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

export const HOW_TO_INSTALL =
  'install Debian\'s package as root (`apt-get install chromium`; `npm test` does this itself when run as root), or set CHROMIUM_PATH to a Chromium or Chrome executable';

export interface FindOptions {
  env?: NodeJS.ProcessEnv;
  /** May this process install packages (root with apt)? */
  mayInstall?: boolean;
  /** Progress lines while installing. */
  say?: (line: string) => void;
}

/** Finds Chromium without installing anything. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumSource {
  const given = env.CHROMIUM_PATH;
  if (given) {
    return isExecutableFile(given)
      ? { path: given, how: 'CHROMIUM_PATH' }
      : { missing: `CHROMIUM_PATH=${given} is not an executable file: point it at a Chromium or Chrome executable, or unset it` };
  }
  for (const name of CHROMIUM_NAMES) {
    const path = which(name, env);
    if (path) return { path, how: 'found' };
  }
  return { missing: `Chromium not found (none of ${CHROMIUM_NAMES.join(', ')} on PATH): ${HOW_TO_INSTALL}` };
}

/** Finds Chromium, installing Debian's package when this process is root and has apt-get. */
export function findOrInstallChromium(o: FindOptions = {}): ChromiumSource {
  const env = o.env ?? process.env;
  const found = findChromium(env);
  if (!('missing' in found) || env.CHROMIUM_PATH) return found;
  const apt = which('apt-get', env);
  if (!(o.mayInstall ?? process.getuid?.() === 0) || !apt) return found;
  o.say?.("Chromium not found: installing Debian's chromium package with apt-get (once)…");
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync(apt, ['install', '-y', '--no-install-recommends', 'chromium'], { env: aptEnv, encoding: 'utf8' });
  let r = install();
  if (r.status !== 0) {
    // A fresh machine's package lists may be empty or stale.
    spawnSync(apt, ['update'], { env: aptEnv, encoding: 'utf8' });
    r = install();
  }
  const after = findChromium(env);
  if (!('missing' in after)) return { path: after.path, how: 'installed' };
  const why = (r.stderr || r.stdout || '').trim().split('\n').pop() ?? '';
  return { missing: `Chromium could not be installed with apt-get (${why || `exit code ${r.status}`}): ${HOW_TO_INSTALL}` };
}
