import pino, { type DestinationStream } from 'pino';

/**
 * Logs: JSON lines for collectors, CI and pipes, and in production always; readable lines when a
 * person watches a terminal outside production. Tokens, keys and secrets are redacted by path
 * (before formatting) so a log line never carries one.
 */
export type LogFormat = 'pretty' | 'json';

export function chooseLogFormat(out: { isTTY?: boolean }, nodeEnv: string | undefined = process.env.NODE_ENV): LogFormat {
  return out.isTTY && nodeEnv !== 'production' ? 'pretty' : 'json';
}

const LEVELS: Record<number, [name: string, ansiColour: string]> = {
  10: ['TRACE', '90'],
  20: ['DEBUG', '36'],
  30: ['INFO', '32'],
  40: ['WARN', '33'],
  50: ['ERROR', '31'],
  60: ['FATAL', '35'],
};
const NOT_SHOWN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service']);

/** One JSON log line as `HH:MM:SS LEVEL message  key=value …`, an error's stack indented below. */
export function prettyLine(json: string, colour: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const paint = (code: string, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  const [level, code] = LEVELS[entry.level as number] ?? ['LOG', '0'];
  const time = new Date(entry.time as number).toTimeString().slice(0, 8);
  let stack = '';
  const fields = Object.entries(entry)
    .filter(([key]) => !NOT_SHOWN.has(key))
    .map(([key, value]) => {
      const err = value as { message?: unknown; stack?: unknown } | null;
      if (key === 'err' && err && typeof err === 'object' && typeof err.stack === 'string') {
        stack = '\n' + err.stack.replace(/^/gm, '    ');
        value = err.message;
      }
      const text = typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
      return `${paint('2', key + '=')}${text}`;
    });
  return `${paint('2', time)} ${paint(code, level.padEnd(5))} ${String(entry.msg ?? '')}${fields.length ? '  ' + fields.join(' ') : ''}${stack}\n`;
}

function prettyTo(out: NodeJS.WriteStream): DestinationStream {
  return { write: (line: string) => void out.write(prettyLine(line, true)) };
}

export const logFormat = chooseLogFormat(process.stdout);

// Starts at info (silent under tests); config.ts validates LOG_LEVEL and `setLogLevel` applies it.
export const log = pino(
  {
    level: process.env.NODE_ENV === 'test' ? 'silent' : 'info',
    base: { service: 'wayfinder' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.id_token',
        '*.ltik',
        '*.registration_token',
        '*.client_assertion',
        '*.access_token',
        '*.privateKey',
        '*.password',
      ],
      censor: '[redacted]',
    },
  },
  logFormat === 'pretty' ? prettyTo(process.stdout) : undefined,
);

export function setLogLevel(level: string): void {
  log.level = level;
}
