import { resolve } from 'node:path';
import { DEV_LTI_KEY, type Config } from '../config.js';
import type { Database } from '../db/index.js';
import { log, logFormat } from '../log.js';

/**
 * What `wayfinder serve` says once everything is up: where the tool, the dev LMS and the admin
 * console are and where the data lives, and — loudly — when it runs in development mode. A block
 * of text for a person at a terminal; the same facts as log lines everywhere else.
 */
export interface StartFacts {
  tool: string;
  devLms?: string;
  admin: string;
  data: string;
  /** Why this is not a production start, or undefined in production. */
  developmentMode?: string;
}

export function startFacts(config: Config, toolUrl: string, database: Database, devLmsUrl?: string): StartFacts {
  const data = database.embedded
    ? `${resolve(config.dataDir)} (embedded ${database.embedded.kind === 'ferretdb' ? 'FerretDB' : 'mongodb-memory-server'}; delete the folder to start over)`
    : `MongoDB at ${withoutCredentials(database.uri)}`;
  const risks = [
    config.ltiKey === DEV_LTI_KEY && 'the public development LTI_KEY',
    config.devLms && 'the dev LMS (anyone who reaches it can launch as anyone)',
    database.embedded && 'the embedded database',
  ].filter(Boolean);
  return {
    tool: toolUrl,
    devLms: devLmsUrl && `${devLmsUrl}/dev/lms`,
    admin: `${toolUrl}/admin`,
    data,
    developmentMode:
      config.nodeEnv === 'production'
        ? undefined
        : `NODE_ENV is ${config.nodeEnv === 'development' ? '"development" (or unset)' : `"${config.nodeEnv}"`}` +
          (risks.length ? `, so it uses ${risks.slice(0, -1).join(', ')}${risks.length > 1 ? ' and ' : ''}${risks.at(-1)}` : '') +
          '. Never serve real learners like this: set NODE_ENV=production with your own LTI_KEY, ADMIN_TOKEN, PUBLIC_URL and MONGODB_URI (README, "Configuration").',
  };
}

function withoutCredentials(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}

export function startBlock(f: StartFacts, adminTokenSet: boolean, colour: boolean): string {
  const bold = (t: string) => (colour ? `\x1b[1m${t}\x1b[0m` : t);
  const warn = (t: string) => (colour ? `\x1b[1;33m${t}\x1b[0m` : t);
  const row = (name: string, value: string, note = '') => `    ${name.padEnd(15)} ${bold(value)}${note ? `   ${note}` : ''}`;
  const lines = [
    '',
    `  Wayfinder is ready${f.developmentMode ? ' (development mode)' : ''}`,
    '',
    row('Tool', f.tool),
    ...(f.devLms ? [row('Dev LMS', f.devLms, '← open this: pick a person, a role and a course, and launch')] : []),
    row('Admin console', f.admin, adminTokenSet ? '(sign in with ADMIN_TOKEN)' : '(launch as an Administrator, or set ADMIN_TOKEN to sign in)'),
    row('Data', f.data),
    '',
  ];
  if (f.developmentMode) lines.push(...wrap(`⚠  DEVELOPMENT MODE: ${f.developmentMode}`, 96).map((l, i) => warn(`  ${i ? '   ' : ''}${l}`)), '');
  return lines.join('\n') + '\n';
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + word.length < width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** Prints the block in a terminal (readable logs), or logs the same facts as JSON lines. */
export function announceStart(f: StartFacts, adminTokenSet: boolean): void {
  if (logFormat === 'pretty') {
    process.stdout.write(startBlock(f, adminTokenSet, true));
    return;
  }
  const { developmentMode, ...where } = f;
  log.info(where, 'Wayfinder ready');
  if (developmentMode) log.warn({ developmentMode: true }, `DEVELOPMENT MODE: ${developmentMode}`);
}
