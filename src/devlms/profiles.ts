import type { Response } from 'express';

/**
 * How the dev LMS answers score posts and result reads: like Moodle 5.1 as observed
 * (`../shared/moodle/README.md`, `mod/lti/service/gradebookservices`), or like Canvas as documented
 * (`Lti::IMS::ScoresController`). Moodle is the default, as the dev LMS registers as Moodle.
 */
export type LmsProfile = 'moodle' | 'canvas';

export const SCORE_MEDIA = 'application/vnd.ims.lis.v1.score+json';

const seconds = (t: string) => Math.floor(Date.parse(t) / 1000);

export interface ScoreRules {
  /** Whether a score with `timestamp` is refused after one stamped `stored`, and with which status. */
  refusesTimestamp(stored: string, timestamp: string): boolean;
  staleStatus: number;
  staleMessage(itemId: string, userId: string, stored: string, timestamp: string): string;
  /** A malformed score. */
  invalidStatus: number;
  /** A score Moodle finds incorrect and Canvas unprocessable: `scoreGiven` without `scoreMaximum`, or for someone not a student. */
  unprocessableStatus: number;
  /** The time the LMS keeps with the grade: Moodle keeps whole seconds (`timemodified`). */
  storedTimestamp(timestamp: string): string;
  /** Refuses a score post the way the LMS does. */
  refuse(res: Response, status: number, message: string): void;
  /** Answers an accepted score. */
  accept(res: Response, resultUrl: string): void;
  /** Whether a result read shows a grade of 0 (Moodle leaves out `resultScore` and `timestamp` then). */
  showsZero: boolean;
  /** Whether a result read carries the grade's timestamp. */
  resultTimestamps: boolean;
  /** Whether `PendingManual` counts the score (Canvas), or only `FullyGraded` (Moodle). */
  countsPendingManual: boolean;
}

const moodle: ScoreRules = {
  // scores.php: `if ($grade->timemodified >= strtotime($score->timestamp))` → 409.
  refusesTimestamp: (stored, timestamp) => seconds(stored) >= seconds(timestamp),
  staleStatus: 409,
  staleMessage: (itemId, userId) =>
    `Refusing score with an earlier timestamp for item ${itemId} and user ${userId}`,
  invalidStatus: 400,
  unprocessableStatus: 400,
  storedTimestamp: (t) => new Date(seconds(t) * 1000).toISOString().replace('.000Z', '+00:00'),
  // The reason goes in the status line only and the body is `[]` (ltiservice\response::send).
  refuse(res, status, message) {
    res.statusMessage = message.replace(/[^\x20-\x7e]/g, ' ');
    res.status(status).type('html').send('[]');
  },
  accept: (res) => void res.status(200).type(SCORE_MEDIA).end(),
  showsZero: false,
  resultTimestamps: true,
  countsPendingManual: false,
};

const canvas: ScoreRules = {
  // verify_valid_timestamp: `result.updated_at > timestamp` → 400 (an equal one is accepted).
  refusesTimestamp: (stored, timestamp) => Date.parse(stored) > Date.parse(timestamp),
  staleStatus: 400,
  staleMessage: (_i, _u, stored, timestamp) =>
    `Provided timestamp of ${timestamp} before last updated timestamp of ${stored}`,
  invalidStatus: 400,
  unprocessableStatus: 422,
  storedTimestamp: (t) => t,
  refuse(res, status, message) {
    res
      .status(status)
      .json({ errors: { type: status === 400 ? 'bad_request' : 'unprocessable_entity', message } });
  },
  accept: (res, resultUrl) => void res.status(200).type(SCORE_MEDIA).send(JSON.stringify({ resultUrl })),
  showsZero: true,
  resultTimestamps: false,
  countsPendingManual: true,
};

export const scoreRules = (p: LmsProfile): ScoreRules => (p === 'canvas' ? canvas : moodle);
