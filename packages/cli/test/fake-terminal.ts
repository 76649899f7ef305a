import { PassThrough } from 'node:stream';
import type { PromptInput } from '../src/prompt.js';

/** A stdin that says it is a TTY and records raw-mode switches, for the hidden prompts. */
export type FakeTerminal = PromptInput & PassThrough & { modes: boolean[] };

/**
 * What is written to it before the prompt starts is buffered until the prompt reads, so a test
 * can type the answer first and needs no timing.
 */
export function fakeTerminal(): FakeTerminal {
  const stdin = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: (raw: boolean) => void; modes: boolean[] };
  stdin.isTTY = true;
  stdin.modes = [];
  stdin.setRawMode = (raw: boolean) => void stdin.modes.push(raw);
  return stdin;
}
