import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fakeTerminal } from '../test/fake-terminal.js';
import { promptHidden } from './prompt.js';

describe('promptHidden', () => {
  it('reads a line in raw mode without echoing it, honouring backspace', async () => {
    const stdin = fakeTerminal();
    const stdout = new PassThrough();
    let shown = '';
    stdout.on('data', (chunk: Buffer) => (shown += chunk.toString()));
    const answer = promptHidden(stdin, stdout, 'Unseal Key (will be hidden): ');
    stdin.write('secrex\u007ft\r');
    expect(await answer).toBe('secret');
    expect(shown).toBe('Unseal Key (will be hidden): \n');
    expect(stdin.modes).toEqual([true, false]);
  });

  it('Ctrl-C aborts with a usage error', async () => {
    const stdin = fakeTerminal();
    const answer = promptHidden(stdin, new PassThrough(), 'Token: ');
    stdin.write('ab\u0003');
    await expect(answer).rejects.toThrow('Interrupted');
  });
});
