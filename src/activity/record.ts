import { isDatabaseUnavailable } from '../db/connection.js';
import { log } from '../log.js';
import { toDocuments, type StatementSession } from './documents.js';
import { parseStatementList, type StatementInput } from './input.js';
import type { StoredStatement } from './model.js';
import { writeStatements } from './write.js';

/** How long a server-side producer keeps retrying an unreachable database before failing visibly. */
export const RECORD_RETRY_BUDGET_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Writes the documents, retrying while the database is unreachable (backoff from 100 ms, doubling
 * to 5 s, jittered) until the budget is spent, then throws the database error. Retries are safe
 * because the documents' ids were fixed before the first attempt.
 */
export async function writeWithRetry(docs: StoredStatement[], budgetMs = RECORD_RETRY_BUDGET_MS): Promise<void> {
  const deadline = Date.now() + budgetMs;
  let delay = 100;
  for (let attempt = 1; ; attempt++) {
    try {
      await writeStatements(docs);
      return;
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() + delay > deadline) throw err;
      log.warn({ attempt, statements: docs.length, err: (err as Error).message }, 'activity write failed, retrying');
      await sleep(delay * (0.5 + Math.random() / 2));
      delay = Math.min(delay * 2, 5000);
    }
  }
}

/**
 * For server-side producers (the player's answer handling, the recommender's "shown" events):
 * validates like the API (a 400 AppError names each failing index), stores as the launched user,
 * and never drops silently: it either resolves with what is stored or throws.
 */
export async function recordForLaunch(launch: StatementSession, input: StatementInput[]): Promise<StoredStatement[]> {
  const docs = toDocuments(launch, parseStatementList(input));
  await writeWithRetry(docs);
  return docs;
}
