import type { ParseArgsConfig } from 'node:util';

/** One `wayfinder` sub-command. Each area exports its own and `src/cli.ts` lists them. */
export interface CliCommand {
  /** Words typed after `wayfinder`, e.g. `train` or `platforms add`. */
  name: string;
  summary: string;
  /** Usage line shown by `--help`, without the leading `wayfinder`. */
  usage: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  /** Resolves to the exit code (0 when omitted). */
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number | void>;
}

/** A mistake in how the command was called or in its input: printed as one line, exit code 2. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** Reads a required string option or fails with a message naming it. */
export function requireOption(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new CliError(`--${name} is required`);
  return v;
}

/** Parses an integer option, with a message naming it when it is not one. */
export function intOption(values: Record<string, unknown>, name: string, fallback: number): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n)) throw new CliError(`--${name} must be an integer, got "${String(v)}"`);
  return n;
}
