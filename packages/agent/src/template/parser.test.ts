import { describe, expect, it } from 'vitest';
import { compileTemplate } from './template.js';

const parse = (source: string) => () => compileTemplate(source, { name: 'app.ctmpl' });

describe('syntax errors name the template, line and column', () => {
  it.each([
    ['{{ .a ', 'app.ctmpl:1:7: unclosed action'],
    ['x\n{{ if .a }}', 'app.ctmpl:2:12: unexpected EOF'],
    ['{{ end }}', 'unexpected {{end}}'],
    ['{{ else }}', 'unexpected {{else}}'],
    ['{{ "abc }}', 'unterminated quoted string'],
    ['{{ $x }}', 'undefined variable "$x"'],
    ['{{ break }}', '{{break}} outside {{range}}'],
    ['{{ if }}{{ end }}', 'missing value for if'],
    ['{{ .a | "x" }}', 'non executable command in pipeline stage 2'],
    ['{{ 1.5x }}', 'bad number syntax'],
    ['{{ 1.5.x }}', 'unexpected . after term "1.5"'],
    ['{{ (1 }}', 'unclosed left paren'],
    ['{{ nosuchfunc }}', 'function "nosuchfunc" not defined'],
    ['{{ "\\q" }}', 'invalid syntax'],
    ['{{ range $a, $b, $c := .x }}{{ end }}', 'unexpected'],
    ['{{ if .a }}{{ else }}{{ else }}{{ end }}', 'expected end; found {{else}}'],
  ])('%j', (source, message) => {
    expect(parse(source)).toThrow(message);
  });

  it('reports the line of an error deep in a file', () => {
    expect(parse('line one\nline two\n  {{ with .x }}\n  {{ .Data.a.b. }}\n{{ end }}')).toThrow(/^template: app\.ctmpl:4:/);
  });
});
