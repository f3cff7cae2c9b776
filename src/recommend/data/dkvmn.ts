import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Dataset, LearnerSequence } from './interactions.js';

/** A malformed benchmark file; the message names the 1-based line. */
export class DataFormatError extends Error {}

/**
 * Parses the DKVMN three-line format: count, comma-separated ids, comma-separated 0/1 responses.
 * In these files an id is a skill, so each item is tagged with its own id as its only skill.
 */
export function parseDkvmn(text: string, name: string): Dataset {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const learners: LearnerSequence[] = [];
  for (let i = 0; i < lines.length; i += 3) {
    const count = numbers(lines[i], i + 1);
    if (count.length !== 1 || !Number.isInteger(count[0]) || count[0] < 0) {
      throw new DataFormatError(`line ${i + 1}: expected one interaction count, got "${lines[i].trim()}"`);
    }
    if (i + 2 >= lines.length) throw new DataFormatError(`line ${i + 1}: learner block is missing its id or response line`);
    const ids = numbers(lines[i + 1], i + 2);
    const responses = numbers(lines[i + 2], i + 3);
    if (ids.length !== count[0]) throw new DataFormatError(`line ${i + 2}: ${ids.length} ids but the count on line ${i + 1} says ${count[0]}`);
    if (responses.length !== count[0]) throw new DataFormatError(`line ${i + 3}: ${responses.length} responses but the count on line ${i + 1} says ${count[0]}`);
    const bad = responses.findIndex((r) => r !== 0 && r !== 1);
    if (bad >= 0) throw new DataFormatError(`line ${i + 3}: response ${bad + 1} is ${responses[bad]}, expected 0 or 1`);
    learners.push({
      learnerId: String(learners.length + 1),
      interactions: ids.map((id, j) => ({ itemId: String(id), skills: [String(id)], correct: responses[j] === 1 })),
    });
  }
  return { name, learners };
}

/** Comma-separated numbers; a trailing comma is tolerated, anything else non-numeric is an error. */
export function numbers(line: string, lineNumber: number): number[] {
  const fields = line.trim().split(',');
  if (fields.length > 0 && fields[fields.length - 1].trim() === '') fields.pop();
  return fields.map((f, j) => {
    const n = Number(f.trim());
    if (f.trim() === '' || !Number.isFinite(n)) throw new DataFormatError(`line ${lineNumber}: field ${j + 1} ("${f}") is not a number`);
    return n;
  });
}

/** Reads a DKVMN file; the dataset is named after its folder (e.g. assist2009). */
export async function loadDkvmn(file: string): Promise<Dataset> {
  const text = await readFile(file, 'utf8');
  return parseDkvmn(text, datasetName(file));
}

export const datasetName = (file: string): string => path.basename(path.dirname(path.resolve(file)));
