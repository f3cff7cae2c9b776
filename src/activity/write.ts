import { AppError } from '../web/errors.js';
import { sameContent } from './documents.js';
import { statements, type StoredStatement } from './model.js';

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

/** The batch indexes a unique index refused, or undefined when the error is anything else. */
function duplicateIndexes(err: unknown, size: number): number[] | undefined {
  const e = err as BulkError;
  const raw = e.writeErrors;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) return e.code === DUPLICATE_KEY && size === 1 ? [0] : undefined;
  const flat = list.map((w) => ({ index: w.index ?? w.err?.index, code: w.code ?? w.err?.code }));
  if (flat.some((w) => w.code !== DUPLICATE_KEY || w.index === undefined)) return undefined;
  return flat.map((w) => w.index!);
}

/**
 * Writes documents whose ids were fixed beforehand. Unordered insert, then the ones a unique
 * `_id` refused are compared with what is stored: equal content is a retry (fine), other content
 * is a conflict (409), and the statements this call did insert are removed again so the batch
 * stays all-or-nothing. Resolves only after the database acknowledged the write.
 */
export async function writeStatements(docs: StoredStatement[]): Promise<WriteOutcome> {
  if (docs.length === 0) return { created: 0, repeated: 0 };
  let refused: number[] = [];
  try {
    await statements().insertMany(docs, { ordered: false });
  } catch (err) {
    const dup = duplicateIndexes(err, docs.length);
    if (!dup) throw err;
    refused = dup;
  }
  if (refused.length === 0) return { created: docs.length, repeated: 0 };

  const ids = refused.map((i) => docs[i]._id);
  const existing = new Map((await statements().find({ _id: { $in: ids } }).toArray()).map((d) => [d._id, d]));
  const conflicts = refused.filter((i) => {
    const stored = existing.get(docs[i]._id);
    return !stored || !sameContent(stored, docs[i]);
  });
  if (conflicts.length > 0) {
    const refusedSet = new Set(refused);
    const inserted = docs.filter((_, i) => !refusedSet.has(i)).map((d) => d._id);
    if (inserted.length) await statements().deleteMany({ _id: { $in: inserted } });
    throw new AppError(
      'CONFLICT',
      `a statement with the same id but other content is already stored: ${conflicts.map((i) => `statement ${i} (id ${docs[i]._id})`).join(', ')}; nothing from this request was stored`,
    );
  }
  return { created: docs.length - refused.length, repeated: refused.length };
}
