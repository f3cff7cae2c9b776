import { isDatabaseUnavailable } from '../db/connection.js';
import { AppError } from '../web/errors.js';
import { sameContent } from './documents.js';
import { statements, type StoredStatement } from './model.js';
import { deleteByIds } from '../db/expiry_buckets.js';
import { recordForRetention } from './retention.js';
import { withStateApplied } from './state_store.js';

export interface WriteOutcome {
  /** Newly stored in this call. */
  created: number;
  /** Already stored with the same content (a retry); accepted without a duplicate. */
  repeated: number;
}

interface WriteErrorShape {
  index?: number;
  code?: number;
  err?: { index?: number; code?: number };
}
interface BulkError {
  code?: number;
  writeErrors?: WriteErrorShape[] | WriteErrorShape;
}

const DUPLICATE_KEY = 11000;

/**
 * A write the database refused for another reason than a repeated id. It names statement indexes,
 * ids and error codes only: the driver's own error carries whole documents, which must not reach
 * the log (finding 14).
 */
export class StatementWriteError extends Error {
  override readonly name = 'StatementWriteError';
}

/** Per-document failures of a bulk insert, or undefined when the error does not list them. */
function writeErrorsOf(err: unknown, size: number): { index: number; code?: number }[] | undefined {
  const e = err as BulkError;
  const raw = e.writeErrors;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) return e.code === DUPLICATE_KEY && size === 1 ? [{ index: 0, code: e.code }] : undefined;
  const flat = list.map((w) => ({ index: w.index ?? w.err?.index, code: w.code ?? w.err?.code }));
  return flat.every((w) => w.index !== undefined) ? (flat as { index: number; code?: number }[]) : undefined;
}

/** Removes what this call inserted: every document but the refused ones (those were stored before). */
async function rollBack(docs: StoredStatement[], refused: number[]): Promise<void> {
  const refusedSet = new Set(refused);
  const inserted = docs.filter((_, i) => !refusedSet.has(i)).map((d) => d._id);
  await deleteByIds('wf_statements', inserted); // by `_id`: `$in` is a scan on FerretDB v1
}

/**
 * Writes documents whose ids were fixed beforehand. Unordered insert, then the ones a unique
 * `_id` refused are compared with what is stored: equal content is a retry (fine), other content
 * is a conflict (409). Any refusal but a retry removes the statements this call did insert, so
 * the batch stays all-or-nothing. Resolves only after the database acknowledged the write.
 */
export async function writeStatements(docs: StoredStatement[]): Promise<WriteOutcome> {
  if (docs.length === 0) return { created: 0, repeated: 0 };
  // Findable for retention before they exist (an id never written is simply not found later),
  // and the learner state follows every write, exactly once (state_store.ts).
  await recordForRetention(docs);
  return withStateApplied(docs, () => insertStatements(docs));
}

async function insertStatements(docs: StoredStatement[]): Promise<WriteOutcome> {
  let refused: number[] = [];
  try {
    await statements().insertMany(docs, { ordered: false });
  } catch (err) {
    // Unavailable: the ids are fixed, so the caller's retry completes the batch.
    if (isDatabaseUnavailable(err)) throw err;
    const failures = writeErrorsOf(err, docs.length);
    if (!failures) {
      const e = err as { name?: string; code?: number };
      throw new StatementWriteError(
        `the database refused the batch (${e.name ?? 'error'}, code ${e.code ?? 'unknown'}) of statements ${docs.map((d) => d._id).join(', ')}; sending the same ids again completes it`,
      );
    }
    const other = failures.filter((f) => f.code !== DUPLICATE_KEY);
    if (other.length > 0) {
      await rollBack(docs, failures.map((f) => f.index));
      throw new StatementWriteError(
        `the database refused ${other.map((f) => `statement ${f.index} (id ${docs[f.index]._id}, code ${f.code ?? 'unknown'})`).join(', ')}; nothing from this batch was stored`,
      );
    }
    refused = failures.map((f) => f.index);
  }
  if (refused.length === 0) return { created: docs.length, repeated: 0 };

  const ids = refused.map((i) => docs[i]._id);
  const existing = new Map((await Promise.all(ids.map((_id) => statements().findOne({ _id })))).filter((d) => d !== null).map((d) => [d._id, d]));
  const conflicts = refused.filter((i) => {
    const stored = existing.get(docs[i]._id);
    return !stored || !sameContent(stored, docs[i]);
  });
  if (conflicts.length > 0) {
    await rollBack(docs, refused);
    throw new AppError(
      'CONFLICT',
      `a statement with the same id but other content is already stored: ${conflicts.map((i) => `statement ${i} (id ${docs[i]._id})`).join(', ')}; nothing from this request was stored`,
    );
  }
  return { created: docs.length - refused.length, repeated: refused.length };
}
