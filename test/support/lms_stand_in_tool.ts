import { createPublicKey, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import express from 'express';
import jwt from 'jsonwebtoken';
import type { PlatformRegistration } from '../../src/devlms/index.js';
import { startTestLms, type DevLms } from './lms.js';

/**
 * A minimal, strict LTI 1.3 tool for testing the dev LMS with real HTTP and real keys: login
 * initiation with a state cookie (SameSite=None; Secure; Partitioned), launch with state, nonce and
 * signature checks against the platform's JWKS, a JWKS of its own, and helpers to sign deep
 * linking responses and client assertions with its key.
 */
export interface StandInTool {
  url: string;
  jwksUrl: string;
  kid: string;
  privateKey: KeyObject;
  /** Verified id_token claims of each successful launch. */
  launches: Record<string, unknown>[];
  /** Answers of the LMS to registrations made through `/lti/register`. */
  registrations: Record<string, unknown>[];
  setPlatform(p: PlatformRegistration): void;
  sign(claims: Record<string, unknown>, o?: { kid?: string; key?: KeyObject }): string;
  stop(): Promise<void>;
}

export async function startLmsStandInTool(): Promise<StandInTool> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `tool-${randomUUID()}`;
  let platform: PlatformRegistration | undefined;
  const nonces = new Map<string, string>();
  const launches: Record<string, unknown>[] = [];
  const registrations: Record<string, unknown>[] = [];
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.get('/lti/keys', (_req, res) => {
    res.json({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] });
  });
  app.all('/lti/login', (req, res) => {
    const p = { ...req.query, ...req.body } as Record<string, string>;
    if (!platform || p.iss !== platform.issuer) return res.status(400).send('unknown issuer');
    const state = randomBytes(16).toString('hex');
    const nonce = randomBytes(16).toString('hex');
    nonces.set(state, nonce);
    res.cookie(`lti_state_${state}`, '1', {
      httpOnly: true,
      secure: true,
      sameSite: 'none',
      partitioned: true,
    } as express.CookieOptions);
    const q = new URLSearchParams({
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: p.client_id,
      redirect_uri: `${url}/lti/launch`,
      login_hint: p.login_hint,
      lti_message_hint: p.lti_message_hint ?? '',
      state,
      nonce,
    });
    res.redirect(`${platform.authUrl}?${q}`);
  });
  app.post('/lti/launch', async (req, res) => {
    const { id_token: idToken, state } = req.body as Record<string, string>;
    if (!platform) return res.status(400).send('no platform');
    if (!state || !(req.get('cookie') ?? '').includes(`lti_state_${state}=`))
      return res.status(401).send('state cookie missing');
    const header = jwt.decode(idToken, { complete: true })?.header;
    const keys = ((await (await fetch(platform.jwksUrl)).json()) as { keys: { kid: string }[] }).keys;
    const jwk = keys.find((k) => k.kid === header?.kid);
    if (!jwk) return res.status(401).send('unknown kid');
    try {
      const claims = jwt.verify(idToken, createPublicKey({ key: jwk, format: 'jwk' } as never), {
        algorithms: ['RS256'],
        issuer: platform.issuer,
        audience: platform.clientId,
      }) as Record<string, unknown>;
      if (claims.nonce !== nonces.get(state)) return res.status(401).send('nonce mismatch');
      nonces.delete(state);
      launches.push(claims);
      res.clearCookie(`lti_state_${state}`);
      res.cookie('session', randomUUID(), {
        httpOnly: true,
        secure: true,
        sameSite: 'none',
        partitioned: true,
      } as express.CookieOptions);
      res.redirect(303, '/app');
    } catch (err) {
      res.status(401).send(`bad token: ${(err as Error).message}`);
    }
  });
  // Dynamic registration as a tool does it: read the platform configuration with the token,
  // register, then tell the LMS page to close (org.imsglobal.lti.close).
  app.get('/lti/register', async (req, res) => {
    const { openid_configuration: cfgUrl, registration_token: token } = req.query as Record<string, string>;
    const auth = { authorization: `Bearer ${token}` };
    const cfg = (await (await fetch(cfgUrl, { headers: auth })).json()) as Record<string, string>;
    const reg = await fetch(cfg.registration_endpoint, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        application_type: 'web',
        response_types: ['id_token'],
        grant_types: ['implicit', 'client_credentials'],
        initiate_login_uri: `${url}/lti/login`,
        redirect_uris: [`${url}/lti/launch`],
        client_name: 'Stand-in tool',
        jwks_uri: `${url}/lti/keys`,
        token_endpoint_auth_method: 'private_key_jwt',
        scope: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
        'https://purl.imsglobal.org/spec/lti-tool-configuration': {
          domain: new URL(url).host,
          target_link_uri: `${url}/lti/launch`,
          messages: [{ type: 'LtiDeepLinkingRequest' }],
        },
      }),
    });
    const body = (await reg.json()) as Record<string, unknown>;
    registrations.push(body);
    res.send(
      `<p>Registered ${String(body.client_id)}</p><script>window.parent.postMessage({subject:'org.imsglobal.lti.close'}, '*')</script>`,
    );
  });
  app.get('/app', (req, res) => {
    if (!(req.get('cookie') ?? '').includes('session=')) return res.status(401).send('no session');
    res.send('<h1>Welcome to the stand-in tool</h1>');
  });
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, 'localhost', () => resolve(s));
  });
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    url,
    jwksUrl: `${url}/lti/keys`,
    kid,
    privateKey,
    launches,
    registrations,
    setPlatform: (p) => {
      platform = p;
    },
    sign: (claims, o = {}) =>
      jwt.sign(claims, o.key ?? privateKey, { algorithm: 'RS256', keyid: o.kid ?? kid }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface LmsAndStandInTool {
  lms: DevLms;
  tool: StandInTool;
}

/**
 * Registers `before`/`after` hooks of the calling suite that start a dev LMS pointed at a new
 * stand-in tool and stop both. The handles are filled in when `before` has run. With
 * `toolKnowsLms: false` the tool is not told about the LMS, for suites that register it themselves.
 */
export function useLmsWithStandInTool(opts: { toolKnowsLms?: boolean } = {}): LmsAndStandInTool {
  const env = {} as LmsAndStandInTool;
  before(async () => {
    env.tool = await startLmsStandInTool();
    env.lms = await startTestLms(env.tool.url);
    if (opts.toolKnowsLms ?? true) env.tool.setPlatform(env.lms.registration());
  });
  after(async () => {
    await env.lms.stop();
    await env.tool.stop();
  });
  return env;
}
