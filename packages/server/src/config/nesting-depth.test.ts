import { describe, expect, it } from 'vitest';
import { firstTooDeep } from './nesting-depth.js';

describe('firstTooDeep', () => {
  it('finds the first brace or bracket past the limit', () => {
    expect(firstTooDeep('{ a = [ { } ] }', 3)).toBeUndefined();
    expect(firstTooDeep('{ a = [ { [] } ] }', 3)).toBe(10);
  });

  it('ignores braces inside strings (with escaped quotes) and comments', () => {
    const text = `path "{{{{\\"{{{" { # {{{{{{
  // [[[[[[[
  /* {{{{{{ */ capabilities = ["{[{["]
}`;
    expect(firstTooDeep(text, 2)).toBeUndefined();
    expect(firstTooDeep(text, 1)).toBeDefined();
  });
});
