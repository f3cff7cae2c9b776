import { CliError, intOption, requireOption, type CliCommand } from '../cli/command.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/index.js';
import { AppError } from '../web/errors.js';
import { addPlatform, approvePlatform, listPlatforms, removePlatform } from './platforms.js';
import { setupLti } from './provider.js';
import { retireRotatedKeys, rotateToolKeys } from './tool_keys.js';

/** Runs `fn` with the database and ltijs ready (ltijs keeps each platform's tool key). */
async function withLti<T>(fn: () => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    await setupLti({ ltiKey: config.ltiKey, mongodbUri: db.uri, clockSkewSeconds: config.clockSkewSeconds });
    return await fn();
  } catch (err) {
    if (err instanceof AppError) throw new CliError(err.message);
    if ((err as { name?: string }).name === 'ZodError') {
      const issues = (err as { issues: { path: (string | number)[]; message: string }[] }).issues;
      throw new CliError(issues.map((i) => `--${kebab(String(i.path[0] ?? ''))}: ${i.message}`).join('\n'));
    }
    throw err;
  } finally {
    await db.close();
  }
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
const print = (json: boolean, human: string, data: unknown) => console.log(json ? JSON.stringify(data) : human);

export const platformCommands: CliCommand[] = [
  {
    name: 'platforms add',
    summary: 'register an LMS platform by hand (active, with the given deployments approved)',
    usage: 'platforms add --issuer URL --client-id ID --auth-url URL --token-url URL --jwks-url URL [--deployment-id ID ...] [--name NAME] [--auto-approve] [--json]',
    options: {
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'auth-url': { type: 'string' },
      'token-url': { type: 'string' },
      'jwks-url': { type: 'string' },
      'deployment-id': { type: 'string', multiple: true },
      name: { type: 'string' },
      'auto-approve': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    async run(v) {
      const missing = ['issuer', 'client-id', 'auth-url', 'token-url', 'jwks-url'].filter((k) => !v[k]);
      if (missing.length) throw new CliError(missing.map((m) => `--${m} is required`).join('\n'));
      const p = await withLti(() =>
        addPlatform(
          {
            issuer: v.issuer as string,
            clientId: v['client-id'] as string,
            authUrl: v['auth-url'] as string,
            tokenUrl: v['token-url'] as string,
            jwksUrl: v['jwks-url'] as string,
            deploymentIds: (v['deployment-id'] as string[] | undefined) ?? [],
            name: v.name as string | undefined,
            autoApproveDeployments: Boolean(v['auto-approve']),
          },
          { source: 'manual' },
        ),
      );
      print(Boolean(v.json), `registered ${p.name} as ${p._id} (${p.status}; deployments: ${p.deployments.map((d) => d.id).join(', ') || 'none yet'})`, p);
    },
  },
  {
    name: 'platforms list',
    summary: 'list registered platforms and their deployments',
    usage: 'platforms list [--json]',
    options: { json: { type: 'boolean' } },
    async run(v) {
      const ps = await withLti(listPlatforms);
      const lines = ps.map(
        (p) => `${p._id}  ${p.status.padEnd(8)}  ${p.issuer}  client ${p.clientId}  deployments: ${p.deployments.map((d) => `${d.id} (${d.status})`).join(', ') || '-'}`,
      );
      print(Boolean(v.json), lines.join('\n') || 'no platforms registered', ps);
    },
  },
  {
    name: 'platforms remove',
    summary: 'remove a platform (its launches stop working)',
    usage: 'platforms remove --id PLATFORM_ID',
    options: { id: { type: 'string' } },
    async run(v) {
      const id = requireOption(v, 'id');
      await withLti(() => removePlatform(id));
      console.log(`removed ${id}`);
    },
  },
  {
    name: 'platforms approve',
    summary: 'activate a platform and approve deployments (all pending ones when none are named)',
    usage: 'platforms approve --id PLATFORM_ID [--deployment-id ID ...] [--json]',
    options: { id: { type: 'string' }, 'deployment-id': { type: 'string', multiple: true }, json: { type: 'boolean' } },
    async run(v) {
      const id = requireOption(v, 'id');
      const p = await withLti(() => approvePlatform(id, (v['deployment-id'] as string[] | undefined) ?? []));
      print(Boolean(v.json), `${p._id} is active; approved deployments: ${p.deployments.filter((d) => d.status === 'approved').map((d) => d.id).join(', ') || 'none'}`, p);
    },
  },
];

export const keyCommands: CliCommand[] = [
  {
    name: 'keys rotate',
    summary: "rotate the tool's signing keys; old public keys stay published for the overlap window",
    usage: 'keys rotate [--overlap-hours 48] [--issuer URL --client-id ID] [--json]',
    options: { 'overlap-hours': { type: 'string' }, issuer: { type: 'string' }, 'client-id': { type: 'string' }, json: { type: 'boolean' } },
    async run(v) {
      const overlap = intOption(v, 'overlap-hours', 48);
      if (overlap < 0) throw new CliError('--overlap-hours must be 0 or more');
      if (Boolean(v.issuer) !== Boolean(v['client-id'])) throw new CliError('--issuer and --client-id go together');
      const only = v.issuer ? { issuer: v.issuer as string, clientId: v['client-id'] as string } : undefined;
      const config = loadConfig();
      const rotated = await withLti(() => rotateToolKeys(config.ltiKey, overlap, only));
      const lines = rotated.map((r) => `${r.platformUrl} (${r.clientId}): ${r.oldKid} → ${r.newKid}; old key retired after ${r.retireAt.toISOString()}`);
      print(Boolean(v.json), lines.join('\n') || 'no platform matched: nothing rotated', rotated);
    },
  },
  {
    name: 'keys retire',
    summary: 'remove rotated keys whose overlap window has passed (the server also does this on its own)',
    usage: 'keys retire',
    async run() {
      const retired = await withLti(() => retireRotatedKeys());
      console.log(retired.length ? `retired ${retired.join(', ')}` : 'nothing to retire');
    },
  },
];
