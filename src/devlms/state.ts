import { randomBytes, randomUUID } from 'node:crypto';
import { Faults } from './faults.js';
import { KeyRing } from './keys.js';
import type { LmsProfile } from './profiles.js';
import type {
  LaunchOptions,
  LmsLineItem,
  LmsResult,
  Membership,
  ReceivedScore,
  StoredResourceLink,
  ToolRecord,
} from './types.js';

export const AGS_SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
];
export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
export const SUPPORTED_SCOPES = [...AGS_SCOPES, NRPS_SCOPE];

export const opaqueId = (bytes = 16) => randomBytes(bytes).toString('base64url');

interface PendingDeepLink {
  clientId: string;
  courseId: string;
  userSub: string;
  acceptTypes: string[];
  acceptMultiple: boolean;
  expires: number;
}

/**
 * Everything the dev LMS remembers, in memory: it is a development and test fixture, and a
 * restart giving a clean platform is a feature.
 */
export class LmsState {
  readonly keys = new KeyRing();
  readonly tools = new Map<string, ToolRecord>();
  /** Launches chosen on the launcher page or by `launch()`, by the opaque lti_message_hint. */
  readonly launches = new Map<string, { options: LaunchOptions; expires: number }>();
  readonly pendingDeepLinks = new Map<string, PendingDeepLink>();
  readonly resourceLinks: StoredResourceLink[] = [];
  readonly accessTokens = new Map<string, { clientId: string; scopes: string[]; expires: number }>();
  readonly usedRegistrationTokens = new Set<string>();
  readonly usedAssertionIds = new Map<string, number>();
  /** Allow-list applied to the scopes a registering tool asks for; undefined grants all supported. */
  grantableScopes: string[] | undefined;
  /** AGS: gradebook columns by id, the latest result per column and user, every accepted score. */
  readonly lineItems = new Map<string, LmsLineItem>();
  readonly results = new Map<string, LmsResult>();
  readonly receivedScores: ReceivedScore[] = [];
  /** Whose behaviour the LMS copies where platforms differ (scores, product family). */
  profile: LmsProfile = 'moodle';
  /** NRPS: enrolments by course id, then user sub; and the default page size. */
  readonly memberships = new Map<string, Map<string, Membership>>();
  nrpsPageSize = 50;
  /** Called with every launch the LMS prepares (the roster enrols the person launching). */
  readonly launchListeners: ((o: LaunchOptions) => void)[] = [];
  readonly faults = new Faults(() => {
    for (const t of this.accessTokens.values()) t.expires = 0;
  });
  private nextTypeId = 1;

  constructor(
    public url: string,
    public issuer: string,
    public toolUrl: string,
    public defaultClientId: string,
  ) {}

  get authUrl() {
    return `${this.url}/auth`;
  }
  get tokenUrl() {
    return `${this.url}/token`;
  }
  get jwksUrl() {
    return `${this.url}/jwks`;
  }
  get registrationUrl() {
    return `${this.url}/register`;
  }
  get openidConfigurationUrl() {
    return `${this.url}/.well-known/openid-configuration`;
  }
  get deepLinkReturnUrl() {
    return `${this.url}/deep-link-return`;
  }

  /** Moodle's deployment id is the tool type id as a string. */
  newDeploymentId(): string {
    return String(this.nextTypeId++);
  }

  reserveDeploymentId(id: string): void {
    if (/^\d+$/.test(id)) this.nextTypeId = Math.max(this.nextTypeId, Number(id) + 1);
  }

  tool(clientId?: string): ToolRecord | undefined {
    return this.tools.get(clientId ?? this.defaultClientId);
  }

  rememberLaunch(options: LaunchOptions): string {
    const id = opaqueId();
    this.launches.set(id, { options, expires: Date.now() + 60 * 60 * 1000 });
    for (const listener of this.launchListeners) listener(options);
    this.sweep();
    return id;
  }

  rememberDeepLink(p: Omit<PendingDeepLink, 'expires'>): string {
    const id = `dl-${randomUUID()}`;
    this.pendingDeepLinks.set(id, { ...p, expires: Date.now() + 60 * 60 * 1000 });
    return id;
  }

  /** Drops expired entries; called on writes so memory stays bounded in long dev sessions. */
  sweep(now = Date.now()): void {
    for (const [k, v] of this.launches) if (v.expires < now) this.launches.delete(k);
    for (const [k, v] of this.pendingDeepLinks) if (v.expires < now) this.pendingDeepLinks.delete(k);
    for (const [k, v] of this.accessTokens) if (v.expires < now) this.accessTokens.delete(k);
    for (const [k, v] of this.usedAssertionIds) if (v < now) this.usedAssertionIds.delete(k);
  }
}
