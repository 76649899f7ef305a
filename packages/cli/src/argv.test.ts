import { describe, expect, it } from 'vitest';
import { normaliseArgv } from './argv.js';

const booleans = { positive: new Set(['orphan', 'no-renewable', 'cas-required', 'no-cas-required']), negatable: new Set(['renewable', 'cas-required']) };

describe('normaliseArgv', () => {
  it('turns Go-style single-dash long flags into double-dash ones', () => {
    expect(normaliseArgv(['kv', 'get', '-format=json', '-mount', 'secret', 'foo'], booleans)).toEqual([
      'kv', 'get', '--format=json', '--mount', 'secret', 'foo',
    ]);
  });

  it('leaves short flags, stdin, values and everything after -- alone', () => {
    expect(normaliseArgv(['write', 'p', '-', 'a=-b', '-h', '-1', '--', '-format=x'], booleans)).toEqual([
      'write', 'p', '-', 'a=-b', '-h', '-1', '--', '-format=x',
    ]);
  });

  it('rewrites boolean values as commander flags', () => {
    expect(normaliseArgv(['-orphan=true'], booleans)).toEqual(['--orphan']);
    expect(normaliseArgv(['-orphan=false'], booleans)).toEqual([]);
    expect(normaliseArgv(['-renewable=false'], booleans)).toEqual(['--no-renewable']);
    expect(normaliseArgv(['-renewable=true'], booleans)).toEqual([]);
    expect(normaliseArgv(['-cas-required=f', '--cas-required=1'], booleans)).toEqual(['--no-cas-required', '--cas-required']);
    expect(normaliseArgv(['-no-renewable=true'], booleans)).toEqual(['--no-renewable']);
    // Not a boolean literal: left for commander to refuse.
    expect(normaliseArgv(['-orphan=maybe'], booleans)).toEqual(['--orphan=maybe']);
  });
});
