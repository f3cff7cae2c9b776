import { platformRecord, ServiceError } from '../lti/service_token.js';
import { agsCall, lineItemFor, NoLineItem, SCOPE, scopesFor, serviceUrl } from './line_items.js';
import type { Delivery } from './model.js';

/**
 * One delivery attempt: the score POST and what its answer means. Kept apart from the worker's
 * bookkeeping so each rule of the issue reads in one place.
 */
export type AttemptOutcome =
  | { kind: 'sent'; lineItemUrl: string; via?: 'result-check' }
  | { kind: 'retry'; error: string; retryAfterMs?: number }
  | { kind: 'failed'; error: string };

const CANVAS_SUBMISSION = 'https://canvas.instructure.com/lti/submission';
const SCORE_MEDIA = 'application/vnd.ims.lis.v1.score+json';

const retryable = (status: number) => status === 429 || status === 408 || status >= 500;

interface ResultJson {
  userId: string;
  resultScore?: number | null;
  resultMaximum?: number;
}

/**
 * After a refused "stale timestamp" (Moodle 409, Canvas 400): does the LMS already hold our score
 * for this user? Compared as a share, since Canvas and Moodle rescale to the column's maximum.
 */
async function holdsOurScore(d: Delivery, scopes: string[], lineItemUrl: string): Promise<boolean> {
  if (!scopes.includes(SCOPE.result)) return false;
  const results = await agsCall<ResultJson[]>(
    d,
    scopes,
    serviceUrl(lineItemUrl, 'results', { user_id: d.sub }),
    {
      accept: 'application/vnd.ims.lis.v2.resultcontainer+json',
    },
  );
  const mine = results.find((r) => r.userId === d.sub);
  if (!mine || typeof mine.resultScore !== 'number') return false;
  const theirs = mine.resultScore / (mine.resultMaximum || 100);
  return Math.abs(theirs - d.score.given / d.score.maximum) < 0.0005;
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

export async function attempt(d: Delivery, timestamp: string): Promise<AttemptOutcome> {
  try {
    const scopes = await scopesFor(d);
    if (!scopes.includes(SCOPE.score))
      return { kind: 'failed', error: 'the LMS did not grant Wayfinder the scope to send scores' };
    const canvas = (await platformRecord(d))?.productFamily === 'canvas';
    let url = await lineItemFor(d, scopes);
    for (let lookedUpAgain = false; ; lookedUpAgain = true) {
      try {
        await agsCall(d, scopes, serviceUrl(url, 'scores'), {
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
        if ((err.status === 409 || err.status === 400) && (await holdsOurScore(d, scopes, url)))
          return { kind: 'sent', lineItemUrl: url, via: 'result-check' };
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
