import client from 'prom-client';
import mongoose, { Schema } from 'mongoose';
import { addExpiryRule } from '../db/expiry.js';
import { registry } from '../web/metrics.js';

/**
 * What Wayfinder remembers about each login initiation, by its OIDC `state`, so a launch whose
 * state cookie did not arrive can still be judged. ltijs keeps no record of the nonce it sends,
 * so for the platform storage path this record is the server-side half of the check: the nonce
 * the id_token must carry, the platform origin that must answer `lti.get_data`, and the frame.
 * Cookie-path logins are remembered too, with the nonce ltijs sent: the launch must carry that
 * nonce, and a launch that lost its cookie can be told apart from a forged or stale state and can
 * be restarted, or opened in a new window.
 */
export interface LoginRecord {
  _id: string;
  iss: string;
  clientId: string;
  /** Cookie path: the nonce ltijs sent in the authentication request. */
  nonce?: string;
  /** Login initiation parameters, to start the same launch again (new window, or through storage). */
  login: Record<string, string>;
  /** Set when state and nonce went to the platform's storage instead of a cookie. */
  storage?: { target: string; origin: string; nonce: string };
  at: Date;
}

const LoginModel = mongoose.model<LoginRecord>(
  'LtiLogin',
  new Schema<LoginRecord>(
    {
      _id: String,
      iss: String,
      clientId: String,
      nonce: String,
      login: { type: Schema.Types.Mixed },
      storage: { type: new Schema({ target: String, origin: String, nonce: String }, { _id: false }), required: false },
      at: Date,
    },
    { versionKey: false },
  ),
  'wf_lti_logins',
);

/**
 * A completed platform storage launch, by state. Inserting it is the one atomic step FerretDB v1
 * offers (a unique `_id`), so two completions racing for the same state cannot both pass.
 */
const CompletionModel = mongoose.model<{ _id: string; at: Date }>(
  'LtiStorageCompletion',
  new Schema<{ _id: string; at: Date }>({ _id: String, at: Date }, { versionKey: false }),
  'wf_lti_storage_completions',
);

// ltijs's state cookie lives a minute and its state documents ten; a login is not worth more.
addExpiryRule({ collection: 'wf_lti_logins', field: 'at', maxAgeSeconds: 600 });
// Kept as long as ltijs keeps nonces: a completed state can never complete again meanwhile.
addExpiryRule({ collection: 'wf_lti_storage_completions', field: 'at', maxAgeSeconds: 2 * 3600 });

export async function rememberLogin(r: Omit<LoginRecord, 'at'>): Promise<void> {
  await LoginModel.create({ ...r, at: new Date() });
}

export async function findLogin(state: string): Promise<LoginRecord | null> {
  return LoginModel.findById(state).lean<LoginRecord>();
}

/** True the first time for a state, false for every later attempt. */
export async function claimCompletion(state: string): Promise<boolean> {
  try {
    await CompletionModel.create({ _id: state, at: new Date() });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return false;
    throw err;
  }
}

/** Steps of the cookie-less paths, for /metrics (and for tests proving which path a launch took). */
export const storageSteps = new client.Counter({
  name: 'wayfinder_lti_platform_storage_total',
  help: 'Launch steps without the state cookie: login_page, launch_page, completed, refused, cookie_check',
  labelNames: ['step'] as const,
  registers: [registry],
});
