import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import { render } from '../web/views.js';
import { recordLaunchFailure } from './launch_failures.js';
import { LaunchRefused } from './message_launch.js';
import { newWindowLoginUrl } from './platform_storage_login.js';
import { claimCompletion, findLogin, storageSteps, type LoginRecord } from './platform_storage_store.js';

/**
 * `/lti/launch` when the state cookie did not come back (runs after precheckLaunch, before ltijs):
 *
 * - The login went through platform storage: answer a page that reads state and nonce back with
 *   `lti.get_data` from the platform origin recorded at login, compares them with this launch, and
 *   posts the same id_token and state back here with `platform_storage=verified` (completion).
 * - Completion: refused unless it comes from Wayfinder's own page (Origin: a cross-site page cannot
 *   post it, so the read-back cannot be skipped), the id_token's nonce and issuer are the ones
 *   issued for this state at login, and this state never completed before (a unique insert). Then
 *   the request goes on to ltijs with the validation cookie it expects, for this one request, so
 *   ltijs's own checks — signature, aud/azp, exp, and nonce replay — run unchanged.
 * - A cookie-path login of ours whose cookie is missing: the browser blocks it. Answer the cookie
 *   check page: if the parent answers `lti.capabilities` with put_data and get_data, the launch is
 *   restarted through platform storage; otherwise it explains and offers a new-window launch.
 * - A state cookie present: the id_token must carry the nonce sent with that login, then ltijs judges.
 * - A state we never issued, without its cookie: ltijs's to refuse, as before.
 */
type LaunchBody = { id_token?: unknown; state?: unknown; platform_storage?: unknown };

function hasCookie(req: Request, name: string): boolean {
  return (req.headers.cookie ?? '').split(';').some((c) => c.trim().startsWith(`${name}=`));
}

function refuse(reason: string, message: string, iss: string): Promise<never> {
  storageSteps.inc({ step: 'refused' });
  return recordLaunchFailure(reason, message, iss).then(() => {
    throw new LaunchRefused(reason, message, true);
  });
}

const NONCE_MISMATCH = 'the id_token does not carry the nonce Wayfinder sent for this login; open the activity again';

/** The id_token answers this very login: its issuer, and the nonce sent with it (cookie or storage path). */
function answersLogin(login: LoginRecord, idToken: string): boolean {
  const claims = jwt.decode(idToken) as { nonce?: unknown; iss?: unknown } | null;
  const sent = login.storage?.nonce ?? login.nonce;
  return !!sent && claims?.iss === login.iss && claims.nonce === sent;
}

/** The state cookie came back: the login it names must be ours, and the token must carry its nonce. */
async function checkCookieLogin(login: LoginRecord | null, idToken: string): Promise<void> {
  if (login && answersLogin(login, idToken)) return;
  const reason = login ? 'LOGIN_NONCE_MISMATCH' : 'LOGIN_UNKNOWN';
  const message = login ? NONCE_MISMATCH : 'Wayfinder has no record of this login (it expired or was never started here); open the activity again';
  await recordLaunchFailure(reason, message, login?.iss);
  throw new LaunchRefused(reason, message, true);
}

async function complete(req: Request, config: StorageLaunchConfig, login: LoginRecord & { storage: NonNullable<LoginRecord['storage']> }, idToken: string, state: string) {
  if (req.headers.origin !== config.publicOrigin) {
    await refuse('STORAGE_ORIGIN_INVALID', 'the platform storage check must be completed from Wayfinder’s own launch page', login.iss);
  }
  if (!answersLogin(login, idToken)) await refuse('STORAGE_NONCE_MISMATCH', NONCE_MISMATCH, login.iss);
  if (!(await claimCompletion(state))) {
    await refuse('STATE_ALREADY_USED', 'this launch was already completed; open the activity again', login.iss);
  }
  // cookie-parser (inside ltijs's app) leaves a request alone once req.cookies is set; ltijs then
  // clears the (absent) state cookie, which needs the secret cookie-parser would have set.
  const parsed = req as Request & { secret?: string };
  parsed.cookies = {};
  parsed.signedCookies = { [`state${state}`]: login.iss };
  parsed.secret = config.ltiKey;
  storageSteps.inc({ step: 'completed' });
}

interface StorageLaunchConfig {
  /** Wayfinder's own origin: the only one a completion may come from. */
  publicOrigin: string;
  /** ltijs's cookie secret (its LTI key). */
  ltiKey: string;
}

export function platformStorageLaunch(o: { publicUrl: string; ltiKey: string }) {
  const config: StorageLaunchConfig = { publicOrigin: new URL(o.publicUrl).origin, ltiKey: o.ltiKey };
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      // precheckLaunch has parsed the form and checked both are non-empty strings.
      const { id_token: idToken, state, platform_storage: step } = req.body as LaunchBody & { id_token: string; state: string };
      const login = await findLogin(state);
      if (hasCookie(req, `state${state}`)) {
        await checkCookieLogin(login, idToken);
        return next();
      }
      if (!login) return next();
      const newWindowUrl = newWindowLoginUrl(login.login);
      res.set('Cache-Control', 'no-store');
      if (login.storage) {
        const withStorage = { ...login, storage: login.storage };
        if (step === 'verified') {
          await complete(req, config, withStorage, idToken, state);
          return next();
        }
        storageSteps.inc({ step: 'launch_page' });
        // Helmet's `no-referrer` would make the browser send `Origin: null` with the completion
        // post; `same-origin` sends our origin to ourselves and still nothing to anyone else.
        res.set('Referrer-Policy', 'same-origin');
        const nonce = (jwt.decode(idToken) as { nonce?: string } | null)?.nonce ?? '';
        return render(req, res, 'lti/storage_launch.njk', {
          idToken,
          storage: { target: login.storage.target, origin: login.storage.origin, state, nonce },
          newWindowUrl,
        });
      }
      storageSteps.inc({ step: 'cookie_check' });
      await recordLaunchFailure('STATE_COOKIE_BLOCKED', 'the browser did not send the login state cookie back', login.iss);
      render(req, res, 'lti/cookie_check.njk', { restartUrl: newWindowUrl, newWindowUrl });
    } catch (err) {
      next(err);
    }
  };
}
