import { pino, type Logger as PinoLogger } from 'pino';

/**
 * The root logger. Anything that could carry a secret is redacted by path, as a second line of
 * defence: request bodies and tokens are never logged on purpose.
 */
export const REDACT_PATHS = [
  'req.headers["x-vault-token"]',
  'req.headers.authorization',
  '*.token',
  '*.client_token',
  '*.root_token',
  '*.password',
  '*.secret_id',
  '*.key',
  '*.keys',
  '*.keys_base64',
  '*.ciphertext',
  '*.plaintext',
  '*.data',
];

export function createLogger(
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent' = 'info',
  destination?: NodeJS.WritableStream,
): PinoLogger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'coffer' } },
    destination ?? process.stderr,
  );
}
