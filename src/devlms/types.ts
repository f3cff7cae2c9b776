import type { CookieJar } from './cookie_jar.js';

/** A person in the dev LMS. `sub` is stable and opaque, like Moodle's numeric user id. */
export interface LmsUser {
  sub: string;
  name: string;
  given_name: string;
  family_name: string;
  email: string;
  locale: string;
  /** Moodle username, sent in the `ext` claim. */
  username: string;
  /** The role a demo user launches with unless another is chosen. */
  defaultRole: RoleName;
}

export interface LmsCourse {
  /** LTI context id; Moodle sends the course id as a string. */
  id: string;
  title: string;
  label: string;
  /** Moodle sends `["CourseSection"]`, not a URI. */
  type: string[];
}

export type RoleName = 'student' | 'teacher' | 'admin';
export type MessageType = 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';

export interface DeepLinkingSettings {
  deep_link_return_url: string;
  accept_types: string[];
  accept_presentation_document_targets: string[];
  accept_multiple: boolean;
  accept_lineitem?: boolean;
  auto_create?: boolean;
  title?: string;
  text?: string;
  data?: string;
}

export interface LaunchOptions {
  /** A demo user id (`sub`) or a user; missing fields are filled from the first demo student. */
  user?: string | Partial<LmsUser>;
  /** A role name or explicit role URIs. Default: the user's default role. */
  role?: RoleName | string[];
  /** A demo course id or a course; missing fields filled from the first demo course. */
  course?: string | Partial<LmsCourse>;
  resourceLink?: { id: string; title?: string; description?: string };
  messageType?: MessageType;
  /** Overrides for the deep_linking_settings claim (LtiDeepLinkingRequest only). */
  deepLinking?: Partial<DeepLinkingSettings>;
  custom?: Record<string, string>;
  launchPresentation?: { locale?: string; document_target?: string; return_url?: string };
  /** Shorthand for launch_presentation.locale. */
  locale?: string;
  /** AGS endpoint claim; `false` leaves it out. Default: plausible Moodle-shaped URLs. */
  ags?: false | { scope?: string[]; lineitems?: string; lineitem?: string | null };
  /** NRPS claim; `false` leaves it out. */
  nrps?: false | { context_memberships_url?: string; service_versions?: string[] };
  /** Which registered tool to launch (client id). Default: the LMS's default tool. */
  clientId?: string;
  deploymentId?: string;
  targetLinkUri?: string;
  /** Applied last to the id_token claims; a value of `undefined` deletes the claim. */
  claims?: Record<string, unknown>;
  /** Extra login-initiation parameters (e.g. `lti_storage_target`, `canvas_region`). */
  loginParams?: Record<string, string>;
  /**
   * LTI platform storage (postMessage): `true` sends `lti_storage_target=_parent` at login
   * initiation; `'capabilities'` sends nothing, for tools that detect it with `lti.capabilities`.
   * Only a browser on the launcher page answers the messages; `launch()` itself has no window.
   */
  platformStorage?: boolean | 'capabilities';
  /** How the login initiation reaches the tool. Default GET (what Moodle does from a link). */
  loginMethod?: 'GET' | 'POST';
  /**
   * Where the browser would run the tool. `iframe` (default): every request is cross-site, so only
   * `SameSite=None; Secure` cookies survive; `window`: a top-level navigation.
   */
  frame?: 'iframe' | 'window';
  /** Third-party cookie policy in `iframe`: Chrome default `allow`, CHIPS-only, or Safari's `block`. */
  thirdPartyCookies?: 'allow' | 'partitioned-only' | 'block';
  /** Reuse a jar, e.g. to launch twice in the same "browser". */
  cookies?: CookieJar;
}

export interface LaunchResult {
  status: number;
  headers: Headers;
  body: string;
  /** The URL of the final response, after the tool's same-origin redirects. */
  url: string;
  /** Every URL requested at the tool after the launch POST, in order. */
  redirects: string[];
  cookies: CookieJar;
}

/** What the LMS remembers about a tool it can launch. */
export interface ToolRecord {
  clientId: string;
  deploymentId: string;
  name: string;
  jwksUrl: string;
  loginUrl: string;
  /** Default target_link_uri for resource links. */
  launchUrl: string;
  redirectUris: string[];
  deepLinking: boolean;
  /** target_link_uri for deep linking requests, when the tool gave one. */
  deepLinkingUrl?: string;
  /** Scopes granted to the tool (AGS, NRPS). */
  scopes: string[];
  custom?: Record<string, string>;
}

/** A resource link created by deep linking, launchable from the launcher. */
export interface StoredResourceLink {
  id: string;
  clientId: string;
  courseId: string;
  title: string;
  text?: string;
  url?: string;
  custom?: Record<string, string>;
  lineItem?: GradebookColumn;
  createdAt: string;
}

export interface GradebookColumn {
  id: string;
  label: string;
  scoreMaximum: number;
  resourceId?: string;
  tag?: string;
}

/** A gradebook column as the LMS keeps it (AGS line item). */
export interface LmsLineItem {
  id: string;
  clientId: string;
  courseId: string;
  deploymentId: string;
  label: string;
  scoreMaximum: number;
  resourceId?: string;
  tag?: string;
  resourceLinkId?: string;
}

/** The grade the LMS holds for one user in one column, rescaled to the column's maximum like Moodle. */
export interface LmsResult {
  lineItemId: string;
  userId: string;
  resultScore: number | null;
  resultMaximum: number;
  comment?: string;
  timestamp: string;
  activityProgress: string;
  gradingProgress: string;
}

/** One score POST the LMS accepted, exactly as the tool sent it. */
export interface ReceivedScore {
  lineItemId: string;
  courseId: string;
  clientId: string;
  receivedAt: number;
  score: Record<string, unknown> & { userId: string; timestamp: string };
}

/** A person's enrolment in a course, what NRPS reports and AGS checks. */
export interface Membership {
  user: LmsUser;
  roles: string[];
  status: 'Active' | 'Inactive';
}
