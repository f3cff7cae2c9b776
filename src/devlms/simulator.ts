import { CookieJar, type CookieContext } from './cookie_jar.js';
import { parseForm, textOf } from './html_form.js';
import { resolveUser, targetLinkFor, toolFor } from './id_token.js';
import { storageLoginParams } from './platform_storage.js';
import type { LmsState } from './state.js';
import type { LaunchOptions, LaunchResult } from './types.js';

/** A launch step the LMS or the tool refused; `body` is the page text for the test's message. */
export class LaunchError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
  }
}

export interface LoginResult {
  state: string;
  nonce: string;
  cookies: CookieJar;
  redirectUri: string;
  /** The full authentication request URL the tool sent the browser to. */
  authRequestUrl: string;
  /** Its parameters. */
  params: Record<string, string>;
}

export interface PostLaunchOptions {
  /** Where to POST; default the tool's first registered redirect URI. */
  redirectUri?: string;
  clientId?: string;
  frame?: LaunchOptions['frame'];
  thirdPartyCookies?: LaunchOptions['thirdPartyCookies'];
}

const MAX_REDIRECTS = 10;
const UA = 'Mozilla/5.0 (X11; Linux x86_64) WayfinderDevLms/1.0 Chrome/126.0 Safari/537.36';

/** Cookie rules for a request, by where the tool runs. Every request from the LMS page is cross-site. */
function cookieContext(
  o: { frame?: string; thirdPartyCookies?: CookieContext['thirdPartyCookies'] },
  method: string,
) {
  if (o.frame === 'window') return { crossSite: true, topLevelGet: method === 'GET' };
  return { crossSite: true, embedded: true, thirdPartyCookies: o.thirdPartyCookies };
}

function browserHeaders(
  state: LmsState,
  frame: string | undefined,
  jar: CookieJar,
  url: string,
  ctx: CookieContext,
) {
  const headers: Record<string, string> = {
    'user-agent': UA,
    accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
    'sec-fetch-site': 'cross-site',
    'sec-fetch-mode': 'navigate',
    'sec-fetch-dest': frame === 'window' ? 'document' : 'iframe',
    referer: `${state.url}/`,
  };
  const cookie = jar.header(url, ctx);
  if (cookie) headers.cookie = cookie;
  return headers;
}

/**
 * The third-party login initiation parameters for a launch. The launch itself is kept server-side
 * under an opaque id sent as lti_message_hint, so the auth endpoint knows what to sign.
 */
export function loginParams(state: LmsState, o: LaunchOptions): URLSearchParams {
  const tool = toolFor(state, o.clientId);
  return new URLSearchParams({
    iss: state.issuer,
    login_hint: resolveUser(o.user).sub,
    target_link_uri: targetLinkFor(state, o),
    lti_message_hint: state.rememberLaunch(o),
    client_id: tool.clientId,
    lti_deployment_id: o.deploymentId ?? tool.deploymentId,
    ...storageLoginParams(o),
    ...o.loginParams,
  });
}

/** The login initiation URL a link or iframe in the LMS would open (GET). */
export function loginUrl(state: LmsState, o: LaunchOptions): string {
  const tool = toolFor(state, o.clientId);
  return `${tool.loginUrl}${tool.loginUrl.includes('?') ? '&' : '?'}${loginParams(state, o)}`;
}

/**
 * The browser's part of a launch: login initiation at the tool, following the tool's own
 * redirects, up to the point where it sends the browser to the LMS's authorization endpoint.
 */
export async function beginLogin(state: LmsState, o: LaunchOptions): Promise<LoginResult> {
  const tool = toolFor(state, o.clientId);
  const params = loginParams(state, o);
  const jar = o.cookies ?? new CookieJar();
  const toolOrigin = new URL(tool.loginUrl).origin;
  const post = o.loginMethod === 'POST';
  let url = post ? tool.loginUrl : `${tool.loginUrl}${tool.loginUrl.includes('?') ? '&' : '?'}${params}`;
  let method = post ? 'POST' : 'GET';
  let body: string | undefined = post ? params.toString() : undefined;

  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const ctx = cookieContext(o, method);
    const headers = browserHeaders(state, o.frame, jar, url, ctx);
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = state.url;
    }
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    jar.storeFrom(res, url, ctx);
    const location = res.headers.get('location');
    let next: URL | undefined;
    if (res.status >= 300 && res.status < 400 && location) {
      next = new URL(location, url);
      await res.arrayBuffer();
    } else {
      const html = await res.text();
      // Some tools answer the login with an auto-submitting form to the auth endpoint instead.
      const form = res.ok ? parseForm(html) : undefined;
      if (!form || !form.action)
        throw new LaunchError(
          `login initiation at ${url} answered ${res.status}: ${textOf(html).slice(0, 300)}`,
          res.status,
          html,
        );
      next = new URL(form.action, url);
      for (const [k, v] of Object.entries(form.fields)) next.searchParams.set(k, v);
    }
    if (next.origin === toolOrigin && !next.href.startsWith(state.authUrl)) {
      url = next.href;
      method = 'GET';
      body = undefined;
      continue;
    }
    const p = Object.fromEntries(next.searchParams);
    return {
      state: p.state ?? '',
      nonce: p.nonce ?? '',
      redirectUri: p.redirect_uri ?? '',
      cookies: jar,
      authRequestUrl: next.href,
      params: p,
    };
  }
  throw new LaunchError(`more than ${MAX_REDIRECTS} redirects during login initiation`, 0, '');
}

/** POSTs id_token and state to the tool like the LMS's auto-submitting form, then follows the tool's same-origin redirects. */
export async function postLaunch(
  state: LmsState,
  idToken: string,
  st: string,
  cookies: CookieJar = new CookieJar(),
  o: PostLaunchOptions = {},
): Promise<LaunchResult> {
  const tool = toolFor(state, o.clientId);
  let url = o.redirectUri ?? tool.redirectUris[0];
  const toolOrigin = new URL(url).origin;
  let method = 'POST';
  let body: string | undefined = new URLSearchParams({ id_token: idToken, state: st }).toString();
  const redirects: string[] = [];
  for (let hop = 0; ; hop++) {
    const ctx = cookieContext(o, method);
    const headers = browserHeaders(state, o.frame, cookies, url, ctx);
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      // A form posted from the LMS page carries the LMS's origin.
      headers.origin = hop === 0 ? state.url : toolOrigin;
    }
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    cookies.storeFrom(res, url, ctx);
    const location = res.headers.get('location');
    const next = res.status >= 300 && res.status < 400 && location ? new URL(location, url) : undefined;
    if (!next || next.origin !== toolOrigin || hop >= MAX_REDIRECTS) {
      return { status: res.status, headers: res.headers, body: await res.text(), url, redirects, cookies };
    }
    await res.arrayBuffer();
    // 307/308 repeat the request as it was; the others become a GET, as in browsers.
    if (res.status !== 307 && res.status !== 308) {
      method = 'GET';
      body = undefined;
    }
    url = next.href;
    redirects.push(url);
  }
}

/** A whole launch: login initiation, the LMS's authorization endpoint over HTTP, the form POST. */
export async function launch(state: LmsState, o: LaunchOptions): Promise<LaunchResult> {
  const login = await beginLogin(state, o);
  if (!login.authRequestUrl.startsWith(state.authUrl))
    throw new LaunchError(
      `the tool redirected to ${login.authRequestUrl}, not to the LMS's auth endpoint`,
      0,
      '',
    );
  const res = await fetch(login.authRequestUrl, { redirect: 'manual', headers: { 'user-agent': UA } });
  const html = await res.text();
  const form = res.ok ? parseForm(html) : undefined;
  if (!form?.fields.id_token)
    throw new LaunchError(
      `the LMS refused the authentication request: ${textOf(html).slice(0, 300)}`,
      res.status,
      html,
    );
  return postLaunch(state, form.fields.id_token, form.fields.state ?? '', login.cookies, {
    redirectUri: form.action,
    clientId: o.clientId,
    frame: o.frame,
    thirdPartyCookies: o.thirdPartyCookies,
  });
}
