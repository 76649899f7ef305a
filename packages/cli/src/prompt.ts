import type { Readable, Writable } from 'node:stream';
import { usageError } from './exit-codes.js';

/** What a hidden prompt needs from stdin: a TTY that can be put in raw mode. */
export type PromptInput = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/**
 * Asks for a secret without echoing it (unseal keys, tokens). Refuses when stdin is not a
 * terminal: piping a secret in is what the positional argument or `-` is for.
 */
export async function promptHidden(stdin: PromptInput | undefined, stdout: Writable, question: string): Promise<string> {
  if (!stdin?.isTTY || typeof stdin.setRawMode !== 'function') {
    throw usageError(
      'Cannot prompt for the value: stdin is not a terminal. Give it as an argument to the command instead.',
    );
  }
  const setRawMode = stdin.setRawMode.bind(stdin);
  stdout.write(question);
  setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (chunk: Buffer | string) => {
        for (const char of chunk.toString()) {
          if (char === '\r' || char === '\n' || char === '\u0004') {
            stdin.off('data', onData);
            resolve(value);
            return;
          }
          if (char === '\u0003') {
            stdin.off('data', onData);
            reject(usageError('Interrupted'));
            return;
          }
          if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
          else value += char;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    setRawMode(false);
    stdin.pause();
    stdout.write('\n');
  }
}

/** All of stdin as text (for `-` arguments). */
export async function readAll(stdin: Readable | undefined): Promise<string> {
  if (!stdin) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
