/**
 * A small cookie jar that behaves like a current browser for the parts LTI launches depend on:
 * host-only vs Domain cookies, Path, expiry, Secure (loopback counts as secure, as in Chrome and
 * Firefox), and SameSite in a cross-site context: inside the LMS's iframe every request to the
 * tool is cross-site, so only `SameSite=None; Secure` cookies are stored and sent.
 */
export interface Cookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  expires?: number;
  secure: boolean;
  httpOnly: boolean;
  sameSite: 'strict' | 'lax' | 'none';
  partitioned: boolean;
}

/** The browsing context of a request, which decides what SameSite lets through. */
export interface CookieContext {
  /** The request is cross-site: from the LMS page, or anything inside the LMS's iframe. */
  crossSite: boolean;
  /** A top-level GET navigation (Lax cookies go along even when cross-site). */
  topLevelGet?: boolean;
  /** Inside a third-party iframe; applies the third-party cookie policy. */
  embedded?: boolean;
  thirdPartyCookies?: 'allow' | 'partitioned-only' | 'block';
}

const loopback = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const secureOrigin = (u: URL) => u.protocol === 'https:' || loopback.has(u.hostname);

function defaultPath(u: URL): string {
  const p = u.pathname;
  if (!p.startsWith('/') || p.lastIndexOf('/') === 0) return '/';
  return p.slice(0, p.lastIndexOf('/'));
}

function pathMatches(reqPath: string, cookiePath: string): boolean {
  if (reqPath === cookiePath) return true;
  if (!reqPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || reqPath[cookiePath.length] === '/';
}

function domainMatches(host: string, c: Cookie): boolean {
  if (c.hostOnly) return host === c.domain;
  return host === c.domain || host.endsWith(`.${c.domain}`);
}

export function parseSetCookie(header: string, url: URL, now = Date.now()): Cookie | undefined {
  const [pair, ...attrs] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq < 1) return undefined;
  const cookie: Cookie = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    domain: url.hostname,
    hostOnly: true,
    path: defaultPath(url),
    secure: false,
    httpOnly: false,
    // Browsers treat a cookie without SameSite as Lax.
    sameSite: 'lax',
    partitioned: false,
  };
  let maxAge: number | undefined;
  for (const attr of attrs) {
    const i = attr.indexOf('=');
    const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? '' : attr.slice(i + 1).trim();
    if (key === 'domain' && val) {
      const d = val.replace(/^\./, '').toLowerCase();
      // A server may only set a Domain that covers its own host.
      if (url.hostname !== d && !url.hostname.endsWith(`.${d}`)) return undefined;
      cookie.domain = d;
      cookie.hostOnly = false;
    } else if (key === 'path' && val.startsWith('/')) cookie.path = val;
    else if (key === 'expires') {
      const t = Date.parse(val);
      if (!Number.isNaN(t)) cookie.expires = t;
    } else if (key === 'max-age' && /^-?\d+$/.test(val)) maxAge = Number(val);
    else if (key === 'secure') cookie.secure = true;
    else if (key === 'httponly') cookie.httpOnly = true;
    else if (key === 'partitioned') cookie.partitioned = true;
    else if (key === 'samesite') {
      const v = val.toLowerCase();
      cookie.sameSite = v === 'none' ? 'none' : v === 'strict' ? 'strict' : 'lax';
    }
  }
  if (maxAge !== undefined) cookie.expires = now + maxAge * 1000; // Max-Age wins over Expires
  return cookie;
}

export class CookieJar {
  private cookies: Cookie[] = [];

  /** Stores the Set-Cookie headers of a response from `url`, as the given context allows. */
  store(setCookies: string[], url: string | URL, ctx: CookieContext = { crossSite: false }): void {
    const u = new URL(url);
    const now = Date.now();
    for (const header of setCookies) {
      const c = parseSetCookie(header, u, now);
      if (!c || !this.allowed(c, u, ctx, 'set')) continue;
      this.cookies = this.cookies.filter(
        (o) => !(o.name === c.name && o.domain === c.domain && o.path === c.path),
      );
      if (c.expires === undefined || c.expires > now) this.cookies.push(c);
    }
  }

  /** Stores the cookies of a fetch Response. */
  storeFrom(res: Response, url: string | URL, ctx?: CookieContext): void {
    this.store(res.headers.getSetCookie(), url, ctx);
  }

  /** The Cookie header a browser would send to `url` in this context ('' when none). */
  header(url: string | URL, ctx: CookieContext = { crossSite: false }): string {
    const u = new URL(url);
    const now = Date.now();
    this.cookies = this.cookies.filter((c) => c.expires === undefined || c.expires > now);
    return this.cookies
      .filter((c) => domainMatches(u.hostname, c) && pathMatches(u.pathname || '/', c.path))
      .filter((c) => this.allowed(c, u, ctx, 'send'))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private allowed(c: Cookie, u: URL, ctx: CookieContext, _op: 'set' | 'send'): boolean {
    if (c.secure && !secureOrigin(u)) return false;
    // Browsers reject SameSite=None without Secure.
    if (c.sameSite === 'none' && !c.secure) return false;
    if (ctx.crossSite) {
      if (c.sameSite === 'strict') return false;
      if (c.sameSite === 'lax' && !ctx.topLevelGet) return false;
    }
    if (ctx.embedded) {
      const policy = ctx.thirdPartyCookies ?? 'allow';
      if (policy === 'block') return false;
      if (policy === 'partitioned-only' && !c.partitioned) return false;
    }
    return true;
  }

  get(name: string): string | undefined {
    return this.cookies.find((c) => c.name === name)?.value;
  }

  all(): Cookie[] {
    return this.cookies.map((c) => ({ ...c }));
  }

  delete(name: string): void {
    this.cookies = this.cookies.filter((c) => c.name !== name);
  }

  clear(): void {
    this.cookies = [];
  }
}
