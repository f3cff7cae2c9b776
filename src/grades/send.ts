import { platformRecord, ServiceError } from '../lti/service_token.js';
import { agsJson, agsSend, lineItemFor, NoLineItem, SCOPE, scopesFor, serviceUrl } from './line_items.js';
import type { Delivery } from './model.js';
import { secondOf } from './timestamps.js';

/**
 * One delivery attempt: the score POST and what its answer means. Kept apart from the worker's
 * bookkeeping so each rule of the issue reads in one place.
 */
export type AttemptOutcome =
  | { kind: 'sent'; lineItemUrl: string; via?: 'result-check'; lmsTimestamp?: string }
  /** Refused as not newer than the LMS's grade, which is not ours: send again, later than `notBefore`. */
  | { kind: 'conflict'; error: string; notBefore: string }
  | { kind: 'retry'; error: string; retryAfterMs?: number }
  | { kind: 'failed'; error: string };

const CANVAS_SUBMISSION = 'https://canvas.instructure.com/lti/submission';
const SCORE_MEDIA = 'application/vnd.ims.lis.v1.score+json';

const retryable = (status: number) => status === 429 || status === 408 || status >= 500;

interface ResultJson {
  userId: string;
  resultScore?: number | null;
  resultMaximum?: number;
  timestamp?: string;
}

/**
 * The LMS's result for this learner, if the tool may read it: whether it is our score (compared as
 * a share, since Canvas and Moodle rescale to the column's maximum) and when it was set. Moodle
 * leaves out `resultScore` and `timestamp` for a grade of 0 or none.
 */
async function lmsResult(d: Delivery, scopes: string[], lineItemUrl: string) {
  if (!scopes.includes(SCOPE.result)) return undefined;
  const results = await agsJson<ResultJson[]>(
    d,
    scopes,
    serviceUrl(lineItemUrl, 'results', { user_id: d.sub }),
    { accept: 'application/vnd.ims.lis.v2.resultcontainer+json' },
  );
  const mine = results.find((r) => r.userId === d.sub);
  const score = typeof mine?.resultScore === 'number' ? mine.resultScore : undefined;
  const ours =
    score !== undefined &&
    Math.abs(score / (mine?.resultMaximum || 100) - d.score.given / d.score.maximum) < 0.0005;
  const at = mine?.timestamp && !Number.isNaN(Date.parse(mine.timestamp)) ? mine.timestamp : undefined;
  return { ours, score, at };
}

function scoreBody(d: Delivery, timestamp: string, canvas: boolean) {
  return {
    userId: d.sub,
    scoreGiven: d.score.given,
    scoreMaximum: d.score.maximum,
    activityProgress: d.score.activityProgress,
    gradingProgress: d.score.gradingProgress,
    timestamp,
    ...(d.score.comment ? { comment: d.score.comment } : {}),
    // Canvas records a submission (and its time) only when asked to; other platforms ignore it.
    ...(canvas ? { [CANVAS_SUBMISSION]: { new_submission: true, submitted_at: timestamp } } : {}),
  };
}

/**
 * A score refused as not newer (Moodle 409, Canvas 400): the LMS's result decides. Ours already
 * (an earlier attempt landed unrecorded) → sent. Otherwise, after a 409: set by someone else
 * later than our grade (a teacher in the gradebook) → theirs stands, shown as failed; else the
 * tool holds a grade the LMS lacks → send it again, later than both timestamps. A 400 is also
 * every other refusal, and Canvas refuses only timestamps earlier than its own (ours step forward
 * and a retry resends an equal one), so a 400 that is not our score stays a refusal.
 */
async function afterRefusal(
  d: Delivery,
  scopes: string[],
  url: string,
  timestamp: string,
  err: ServiceError,
): Promise<AttemptOutcome | undefined> {
  if (err.status !== 409 && err.status !== 400) return undefined;
  const held = await lmsResult(d, scopes, url);
  if (held?.ours) return { kind: 'sent', lineItemUrl: url, via: 'result-check', lmsTimestamp: held.at };
  if (err.status === 400) return undefined;
  if (held?.at && secondOf(held.at) > secondOf(d.eventAt.getTime()))
    return {
      kind: 'failed',
      error: `the LMS holds a newer grade (${held.score ?? 'none'}, set ${held.at}) than this one; "Send failed grades again" replaces it`,
    };
  const later = held?.at && Date.parse(held.at) > Date.parse(timestamp) ? held.at : timestamp;
  return {
    kind: 'conflict',
    error: `the LMS refused the score as not newer: ${err.message}`,
    notBefore: later,
  };
}

export async function attempt(d: Delivery, timestamp: string): Promise<AttemptOutcome> {
  try {
    const scopes = await scopesFor(d);
    if (!scopes.includes(SCOPE.score))
      return { kind: 'failed', error: 'the LMS did not grant Wayfinder the scope to send scores' };
    const canvas = (await platformRecord(d))?.productFamily === 'canvas';
    let url = await lineItemFor(d, scopes);
    for (let lookedUpAgain = false; ; lookedUpAgain = true) {
      try {
        await agsSend(d, scopes, serviceUrl(url, 'scores'), {
          method: 'POST',
          contentType: SCORE_MEDIA,
          body: scoreBody(d, timestamp, canvas),
        });
        return { kind: 'sent', lineItemUrl: url };
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        if (err.status === 404 && !lookedUpAgain) {
          url = await lineItemFor(d, scopes, url);
          continue;
        }
        const outcome = await afterRefusal(d, scopes, url, timestamp, err);
        if (outcome) return outcome;
        throw err;
      }
    }
  } catch (err) {
    if (err instanceof NoLineItem) return { kind: 'failed', error: err.message };
    if (err instanceof ServiceError)
      return retryable(err.status)
        ? { kind: 'retry', error: `the LMS answered ${err.message}`, retryAfterMs: err.retryAfterMs }
        : { kind: 'failed', error: `the LMS refused the score: ${err.message}` };
    // Network failures, timeouts, an unreachable database: all worth another try.
    return { kind: 'retry', error: (err as Error).message };
  }
}
