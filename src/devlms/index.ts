import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { log } from '../log.js';
import { gradebookOf, type Gradebook } from './ags.js';
import { createLmsApp } from './app.js';
import { CookieJar } from './cookie_jar.js';
import type { Faults } from './faults.js';
import { claimsFor, signIdToken, type SignOptions } from './id_token.js';
import { beginLogin, launch, postLaunch, type LoginResult, type PostLaunchOptions } from './simulator.js';
import { enrol, membersOf, type Enrolment } from './nrps.js';
import type { LmsProfile } from './profiles.js';
import { LmsState, SUPPORTED_SCOPES } from './state.js';
import { mintRegistrationToken } from './registration.js';
import { checkAccessToken } from './token.js';
import type { LaunchOptions, LaunchResult, Membership, StoredResourceLink, ToolRecord } from './types.js';

// A platform that signs whatever it is asked to must never run in production.
if (process.env.NODE_ENV === 'production') {
  throw new Error(
    'src/devlms is a development and test fixture and refuses to load when NODE_ENV=production',
  );
}

export { CookieJar } from './cookie_jar.js';
export { LaunchError } from './simulator.js';
export { demoCourses, demoUsers, roleUris } from './demo.js';
export { AGS_SCOPES, NRPS_SCOPE, SUPPORTED_SCOPES } from './state.js';
export { PLATFORM_STORAGE_SCRIPT, STORAGE_TARGET, type PlatformStorageMode } from './platform_storage.js';
export type * from './types.js';
export type { LoginResult, PostLaunchOptions, SignOptions };
export type { Enrolment, Faults, Gradebook, LmsProfile };

export interface PreRegisteredTool {
  clientId: string;
  toolJwksUrl: string;
  loginUrl: string;
  launchUrl: string;
  deepLinking: boolean;
  /** Extra redirect URIs besides launchUrl. */
  redirectUris?: string[];
  deploymentId?: string;
  scopes?: string[];
  name?: string;
}

export interface DevLmsOptions {
  port: number;
  host?: string;
  toolUrl: string;
  issuer?: string;
  clientId?: string;
  deploymentId?: string;
  /** Make the LMS know the tool without dynamic registration. */
  preRegistered?: PreRegisteredTool;
  /** Allow-list for scopes granted at dynamic registration (default: everything asked and supported). */
  grantableScopes?: string[];
  /** Whose behaviour to copy where platforms differ (default `moodle`). */
  profile?: LmsProfile;
}

export interface PlatformRegistration {
  issuer: string;
  clientId: string;
  authUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  deploymentIds: string[];
}

export interface DevLms {
  url: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  authUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  openidConfigurationUrl: string;
  /** The launcher and admin pages. */
  launcherUrl: string;
  adminUrl: string;
  /** What a tool needs to register this platform manually (for the default tool, or `clientId`). */
  registration(clientId?: string): PlatformRegistration;
  launch(o?: LaunchOptions): Promise<LaunchResult>;
  signIdToken(claims: Record<string, unknown>, o?: SignOptions): string;
  beginLogin(o?: LaunchOptions): Promise<LoginResult>;
  postLaunch(
    idToken: string,
    state: string,
    cookies?: CookieJar,
    o?: PostLaunchOptions,
  ): Promise<LaunchResult>;
  claimsFor(o: LaunchOptions, nonce: string): Record<string, unknown>;
  rotateKey(o?: { keepOld?: boolean }): void;
  /** A fresh registration token, as the admin page would put in the registration URL; with `update`, Moodle's "update" of that tool. */
  registrationToken(o?: { update?: string }): string;
  /** Narrow (or with undefined, reset) the scopes dynamic registration grants. */
  setGrantableScopes(scopes: string[] | undefined): void;
  /** Tools the LMS can launch (pre-registered, default and dynamically registered). */
  tools(): ToolRecord[];
  tool(clientId?: string): ToolRecord | undefined;
  /** Change what the LMS remembers about a tool, e.g. remove scopes after registration as Canvas admins can. */
  updateTool(clientId: string, patch: Partial<Omit<ToolRecord, 'clientId'>>): ToolRecord;
  /** Resource links created by deep linking, optionally for one course. */
  resourceLinks(courseId?: string): StoredResourceLink[];
  /** For the LMS's services: who holds this `Authorization` header, if it carries `scope`. */
  checkAccessToken(
    authorization: string | undefined,
    scope: string,
  ): { clientId: string; scopes: string[] } | undefined;
  /** Fault switches for tests: `failNext(n, status, path?)`, `latencyMs`, `expireTokens()`, `reset()`. */
  faults: Faults;
  /** AGS: the columns, the results held and every accepted score post, optionally of one course. */
  gradebook(courseId?: string): Gradebook;
  /** Whose behaviour the LMS copies: Moodle's (default; empty 200 on scores, whole-second timestamps, 409 with the reason in the status line) or Canvas's. */
  setProfile(profile: LmsProfile): void;
  /** Enrols (or re-enrols) a person in a course; launches enrol the person launching too. */
  enrol(courseId: string, e: Enrolment): Membership;
  members(courseId: string): Membership[];
  /** NRPS page size when the tool asks for none. */
  setNrpsPageSize(n: number): void;
  stop(): Promise<void>;
}

/** Starts the dev LMS on its own port and host name. */
export async function startDevLms(opts: DevLmsOptions): Promise<DevLms> {
  if (process.env.NODE_ENV === 'production') throw new Error('the dev LMS never runs in production');
  const host = opts.host ?? '127.0.0.1';
  const toolUrl = opts.toolUrl.replace(/\/+$/, '');
  const clientId = opts.preRegistered?.clientId ?? opts.clientId ?? 'wayfinder-dev';
  const state = new LmsState('', '', toolUrl, clientId);
  state.grantableScopes = opts.grantableScopes;
  state.profile = opts.profile ?? 'moodle';

  const server: Server = await new Promise((resolve, reject) => {
    const s = createLmsApp(state).listen(opts.port, host, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  state.url = `http://${urlHost}:${port}`;
  state.issuer = (opts.issuer ?? state.url).replace(/\/+$/, '');

  // The tool the LMS knows from the start: pre-registered, or the standard endpoints at toolUrl.
  const pre = opts.preRegistered;
  const deploymentId = pre?.deploymentId ?? opts.deploymentId ?? '1';
  state.reserveDeploymentId(deploymentId);
  const launchUrl = pre?.launchUrl ?? `${toolUrl}/lti/launch`;
  state.tools.set(clientId, {
    clientId,
    deploymentId,
    name: pre?.name ?? 'Wayfinder',
    jwksUrl: pre?.toolJwksUrl ?? `${toolUrl}/lti/keys`,
    loginUrl: pre?.loginUrl ?? `${toolUrl}/lti/login`,
    launchUrl,
    redirectUris: [launchUrl, ...(pre?.redirectUris ?? [])],
    deepLinking: pre?.deepLinking ?? true,
    scopes: pre?.scopes ?? [...SUPPORTED_SCOPES],
  });
  log.info({ url: state.url, tool: toolUrl }, 'dev LMS listening');

  const lms: DevLms = {
    url: state.url,
    issuer: state.issuer,
    clientId,
    deploymentId,
    authUrl: state.authUrl,
    tokenUrl: state.tokenUrl,
    jwksUrl: state.jwksUrl,
    openidConfigurationUrl: state.openidConfigurationUrl,
    launcherUrl: `${state.url}/dev/lms`,
    adminUrl: `${state.url}/dev/lms/admin`,
    registration(id = clientId) {
      const tool = state.tool(id);
      if (!tool) throw new Error(`no tool with client id ${id}`);
      return {
        issuer: state.issuer,
        clientId: tool.clientId,
        authUrl: state.authUrl,
        tokenUrl: state.tokenUrl,
        jwksUrl: state.jwksUrl,
        deploymentIds: [tool.deploymentId],
      };
    },
    launch: (o = {}) => launch(state, o),
    signIdToken: (claims, o) => signIdToken(state, claims, o),
    beginLogin: (o = {}) => beginLogin(state, o),
    postLaunch: (idToken, st, cookies, o) => postLaunch(state, idToken, st, cookies, o),
    claimsFor: (o, nonce) => claimsFor(state, o, nonce),
    rotateKey: (o) => state.keys.rotate(o?.keepOld ?? true),
    registrationToken: (o) => mintRegistrationToken(state, o?.update),
    setGrantableScopes(scopes) {
      state.grantableScopes = scopes;
    },
    tools: () => [...state.tools.values()],
    tool: (id) => state.tool(id),
    updateTool(id, patch) {
      const tool = state.tool(id);
      if (!tool) throw new Error(`no tool with client id ${id}`);
      Object.assign(tool, patch);
      return tool;
    },
    resourceLinks: (courseId) => state.resourceLinks.filter((l) => !courseId || l.courseId === courseId),
    checkAccessToken: (authorization, scope) => checkAccessToken(state, authorization, scope),
    faults: state.faults,
    gradebook: (courseId) => gradebookOf(state, courseId),
    setProfile(profile) {
      state.profile = profile;
    },
    enrol: (courseId, e) => enrol(state, courseId, e),
    members: (courseId) => membersOf(state, courseId),
    setNrpsPageSize(n) {
      state.nrpsPageSize = n;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
  return lms;
}
