import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * HTTP to a URL an anonymous caller named (dynamic registration: the platform's OpenID
 * configuration and registration endpoint). Without care that is a request forgery service, so:
 * - `https:` only; plain `http:` only to loopback, and only outside production (the dev LMS);
 * - in production every address the host resolves to must be public (no loopback, private,
 *   link-local, carrier-grade NAT, multicast, documentation or IPv6 unique-local ranges);
 * - the host is resolved once, and the socket connects to an address that was checked, so a DNS
 *   answer that changes between check and connect (rebinding) cannot redirect it;
 * - redirects are never followed (a redirect would leave the origin the checks were made on);
 * - one deadline for the whole exchange, and answers larger than `MAX_BYTES` are cut off.
 */
export const MAX_BYTES = 256 * 1024;
export const TIMEOUT_MS = 10_000;

export class PlatformHttpError extends Error {}

export interface AddressPolicy {
  production: boolean;
  /** For tests of rebinding: how the host name resolves (default: the system resolver). */
  resolve?: (host: string) => Promise<{ address: string; family: number }[]>;
}

const nonPublic = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) nonPublic.addSubnet(net, prefix, 'ipv4');
// BlockList checks IPv4-mapped IPv6 (::ffff:a.b.c.d) against the IPv4 rules itself (a rule for
// ::ffff:0:0/96 would match every IPv4 address). NAT64, 6to4 and Teredo embed one: refused whole.
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['100::', 64], ['2001::', 32], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) nonPublic.addSubnet(net, prefix, 'ipv6');

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const family = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');
export const isPublicAddress = (address: string) => isIP(address) !== 0 && !nonPublic.check(address, family(address));
const isLoopback = (address: string) => loopback.check(address, family(address));

const systemResolve = (host: string) => dnsLookup(host, { all: true, verbatim: true });

/** The addresses `url` may be fetched from under `policy`, or a PlatformHttpError saying why not. */
export async function checkedAddresses(url: URL, policy: AddressPolicy): Promise<{ address: string; family: number }[]> {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PlatformHttpError(`only https:// URLs are accepted (got ${url.protocol})`);
  if (url.username || url.password) throw new PlatformHttpError('the URL must not carry a user name or password');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await (policy.resolve ?? systemResolve)(host);
  } catch {
    throw new PlatformHttpError(`the host name ${host} does not resolve`);
  }
  if (addresses.length === 0) throw new PlatformHttpError(`the host name ${host} does not resolve`);
  if (url.protocol === 'http:' && (policy.production || !addresses.every((a) => isLoopback(a.address)))) {
    throw new PlatformHttpError(
      policy.production ? 'only https:// URLs are accepted in production' : 'plain http:// is accepted only to this machine (loopback) outside production; use https://',
    );
  }
  if (policy.production) {
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused) throw new PlatformHttpError(`${host} resolves to ${refused.address}, which is not a public address (refused in production)`);
  }
  return addresses;
}

export interface PlatformResponse {
  status: number;
  text: string;
}

/** One request to `target` under `policy`: no redirects, one deadline, a size cap. */
export async function platformRequest(
  target: string,
  init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
  policy: AddressPolicy,
): Promise<PlatformResponse> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new PlatformHttpError('it is not an absolute URL');
  }
  const addresses = await checkedAddresses(url, policy);
  // Connect only to what was checked: the socket never asks DNS again.
  const pinned: LookupFunction = (_host, options, callback) => {
    const usable = options.family ? addresses.filter((a) => a.family === options.family) : addresses;
    if (options.all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, usable);
    else callback(null, usable[0]?.address ?? addresses[0].address, usable[0]?.family ?? addresses[0].family);
  };
  const body = init.body === undefined ? undefined : Buffer.from(init.body);
  return new Promise<PlatformResponse>((resolve, reject) => {
    // Why the exchange was cut short, whichever of request and response reports it first.
    let cut: PlatformHttpError | undefined;
    const stop = (why: string) => {
      cut = new PlatformHttpError(why);
      req.destroy(cut);
    };
    const fail = (err: NodeJS.ErrnoException) =>
      reject(cut ?? new PlatformHttpError(err.code === 'ECONNREFUSED' ? 'the connection was refused' : 'the connection failed'));
    const req = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: init.method ?? 'GET',
        headers: { accept: 'application/json', ...init.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        lookup: pinned,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BYTES) return stop(`the answer is larger than ${MAX_BYTES / 1024} KiB`);
          chunks.push(chunk);
        });
        res.on('end', () => {
          if (!cut) resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
      },
    );
    const deadline = setTimeout(() => stop(`no answer within ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS);
    req.on('error', fail);
    req.on('close', () => clearTimeout(deadline));
    req.end(body);
  });
}
