import ltijs from 'ltijs';
import { applyClockSkew } from './contrib/ltijs_clock_skew.js';
import { KeyedLtijsDatabase } from './contrib/ltijs_keyed_database.js';
import { useCachedKeySets } from './contrib/ltijs_key_sets.js';
import { useFasterPlatformKeys } from './contrib/ltijs_key_size.js';
import { useUniqueNonces } from './contrib/ltijs_nonces.js';

/**
 * ltijs does the LTI 1.3 protocol work (OIDC login, state cookie, id_token signature, nonce,
 * the tool's JWKS, deep-linking messages). It is a process-wide singleton.
 */
export const lti = ltijs.Provider;

export interface LtiSetup {
  ltiKey: string;
  mongodbUri: string;
  clockSkewSeconds: number;
}

let ready = false;

export async function setupLti(o: LtiSetup): Promise<void> {
  if (ready) return;
  applyClockSkew(o.clockSkewSeconds);
  useCachedKeySets();
  useUniqueNonces(o.clockSkewSeconds);
  useFasterPlatformKeys();
  // Its documents under `_id`s derived from their lookup fields (reads on a launch are by `_id`).
  const database = new KeyedLtijsDatabase({ url: o.mongodbUri });
  lti.setup(
    o.ltiKey,
    { url: o.mongodbUri, plugin: database },
    {
      // Routes relative to where `lti.app` is mounted (`/lti`).
      appRoute: '/launch',
      loginRoute: '/login',
      keysetRoute: '/keys',
      dynRegRoute: '/ltijs-register', // Wayfinder's own dynamic registration answers /lti/register
      // Inside an LMS iframe the tool is third-party: SameSite=None; Secure (Partitioned is added
      // by a header rewrite, since ltijs cannot set it).
      cookies: { secure: true, sameSite: 'None' },
      // ltiaas: after validating a launch ltijs hands over to Wayfinder (next()) instead of
      // redirecting, and does not require its own session cookie on later requests.
      ltiaas: true,
      // Age is judged by exp with the configured skew; ltijs's default max age is 10 s.
      tokenMaxAge: false,
      devMode: false,
      // ltijs's CORS reflects any Origin with credentials; nothing of /lti/* is meant for other sites' scripts.
      cors: false,
    },
  );
  // The default mongoose connection is already open: ltijs reuses it.
  await database.setup();
  await database.rekeyExisting();
  ready = true;
}
