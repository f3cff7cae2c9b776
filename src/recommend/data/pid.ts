import { readFile } from 'node:fs/promises';
import { DataFormatError, datasetName, numbers, parseDkvmn } from './dkvmn.js';
import type { Dataset, Interaction, LearnerSequence } from './interactions.js';

/**
 * Parses the item-level four-line format (AKT's ASSIST2009-pid): `<index>,<student id>`, problem ids,
 * one skill id per row, responses. A problem with several skills is several consecutive rows with the
 * same problem and response; they are one attempt, so they become ONE interaction with all its skills
 * (scoring the second row after the first would read the answer).
 */
export function parsePid(text: string, name: string): Dataset {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const learners: LearnerSequence[] = [];
  for (let i = 0; i < lines.length; i += 4) {
    const header = lines[i].split(',').map((f) => f.trim());
    if (header.length !== 2 || header[1] === '') throw new DataFormatError(`line ${i + 1}: expected "<index>,<student id>", got "${lines[i].trim()}"`);
    if (i + 3 >= lines.length) throw new DataFormatError(`line ${i + 1}: learner block is missing its problem, skill or response line`);
    const problems = numbers(lines[i + 1], i + 2);
    const skills = numbers(lines[i + 2], i + 3);
    const responses = numbers(lines[i + 3], i + 4);
    if (skills.length !== problems.length) throw new DataFormatError(`line ${i + 3}: ${skills.length} skills for ${problems.length} problems on line ${i + 2}`);
    if (responses.length !== problems.length) throw new DataFormatError(`line ${i + 4}: ${responses.length} responses for ${problems.length} problems on line ${i + 2}`);
    const bad = responses.findIndex((r) => r !== 0 && r !== 1);
    if (bad >= 0) throw new DataFormatError(`line ${i + 4}: response ${bad + 1} is ${responses[bad]}, expected 0 or 1`);
    const interactions: Interaction[] = [];
    problems.forEach((problem, j) => {
      const itemId = String(problem);
      const skill = String(skills[j]);
      const correct = responses[j] === 1;
      const last = interactions[interactions.length - 1];
      // Another row of the same attempt: same problem and response, a skill it does not have yet.
      if (last && last.itemId === itemId && last.correct === correct && !last.skills.includes(skill)) last.skills.push(skill);
      else interactions.push({ itemId, skills: [skill], correct });
    });
    learners.push({ learnerId: header[1], interactions });
  }
  return { name, learners };
}

/** Reads a benchmark file in either format: a first line with a comma is the four-line item-level one. */
export async function loadBenchmark(file: string): Promise<Dataset> {
  const text = await readFile(file, 'utf8');
  const first = text.split('\n', 1)[0];
  return first.includes(',') ? parsePid(text, datasetName(file)) : parseDkvmn(text, datasetName(file));
}
