import type { LaunchContext } from '../lti/session.js';
import { AppError } from '../web/errors.js';

/**
 * The dashboard's view of areas built alongside it (grade outbox and roster, model operations).
 * Until an area lands, its function answers `{ available: false }` and the page says "not
 * available yet": nothing here invents data.
 */
export type Maybe<T> = { available: false } | { available: true; value: T };
const notYet = { available: false } as const;

export interface GradeState {
  /** The outbox record id the retry button names. */
  id: string;
  label: string;
  state: 'sent' | 'pending' | 'failed' | 'not_sent';
  scorePct?: number;
  reason?: string;
  at?: Date;
}

export async function learnerGrades(_launch: LaunchContext, _sub: string): Promise<Maybe<GradeState[]>> {
  return notYet;
}

export async function retryGrade(_launch: LaunchContext, _id: string): Promise<void> {
  throw new AppError('NOT_FOUND', 'grade sync is not available yet in this version of Wayfinder');
}

export interface RosterMember {
  sub: string;
  name?: string;
  roles: string[];
  status: string;
}

export async function courseRoster(_launch: LaunchContext): Promise<Maybe<RosterMember[]>> {
  return notYet;
}

export interface OutboxTotals {
  pending: number;
  failed: number;
}

export async function outboxTotals(): Promise<Maybe<OutboxTotals>> {
  return notYet;
}
