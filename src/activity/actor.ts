import type { LaunchContext } from '../lti/session.js';
import { AppError } from '../web/errors.js';
import type { ParsedStatement } from './input.js';

/**
 * The actor is always the launched user. A body may repeat it (xAPI clients do), but a statement
 * naming anyone else is refused as a whole (403), since it is an attempt to write for another learner.
 */
export function checkActors(list: ParsedStatement[], launch: Pick<LaunchContext, 'issuer' | 'sub'>): void {
  const mismatched = list.flatMap((s, i) => {
    if (s.actor === undefined) return [];
    const account = (s.actor as { account?: { homePage?: unknown; name?: unknown } } | null)?.account;
    return account?.homePage === launch.issuer && account?.name === launch.sub ? [] : [i];
  });
  if (mismatched.length) {
    throw new AppError(
      'ACTOR_MISMATCH',
      `statement ${mismatched.join(', ')}: the actor must be you (account { homePage: your platform, name: your user id }); leave "actor" out and it is filled in`,
    );
  }
}
