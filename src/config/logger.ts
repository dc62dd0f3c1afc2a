import { type Logger, pino } from 'pino';

export type { Logger };

/** Structured JSON logs; secrets are redacted wherever they appear under these keys. */
export function createLogger(level: string, name = 'openubi'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        '*.token',
        '*.password',
        '*.credential',
        '*.secret',
        'token',
        'password',
      ],
      censor: '[redacted]',
    },
  });
}
