import pino from 'pino';

/**
 * Structured JSON logs. Tokens, keys and secrets are redacted by path so a log line never carries one.
 */
// Starts at info (silent under tests); config.ts validates LOG_LEVEL and `setLogLevel` applies it.
export const log = pino({
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
});

export function setLogLevel(level: string): void {
  log.level = level;
}
