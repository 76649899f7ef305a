import { describe, expect, it } from 'vitest';
import { render } from '../../test/render-template.js';
import { GoStruct } from './values.js';

describe('actions and fields', () => {
  it('prints fields, nested fields and the dot', async () => {
    expect(await render('{{ .a }} {{ .m.b.c }} {{ . }}', { a: 'x', m: { b: { c: 3 } } })).toBe('x 3 map[a:x m:map[b:map[c:3]]]');
  });
  it('prints <no value> for a missing key, a JSON null and an empty dot (missingkey=zero)', async () => {
    expect(await render('{{ .missing }}|{{ .n }}', { n: null })).toBe('<no value>|<no value>');
    expect(await render('{{ . }}{{ .x.y }}')).toBe('<no value><no value>');
  });
  it('fails on a field of a missing key, as Go does', async () => {
    await expect(render('{{ .a.b }}', {})).rejects.toThrow('template: test:1:4: executing "test" at <.a.b>: nil pointer evaluating interface {}.b');
  });
  it('with error_on_missing_key a missing key is an error', async () => {
    await expect(render('{{ .Data.nope }}', { Data: {} }, { missingKey: 'error' })).rejects.toThrow('map has no entry for key "nope"');
    expect(await render('{{ .Data.yes }}', { Data: { yes: 1 } }, { missingKey: 'error' })).toBe('1');
  });
  it('formats slices, maps (sorted keys) and nils as Go %v', async () => {
    expect(await render('{{ .l }} {{ .m }}', { l: [1, 'a', null, true], m: { z: [], a: {} } })).toBe('[1 a <nil> true] map[a:map[] z:[]]');
  });
  it('keeps struct fields strict: an unknown field of a *Secret is an error', async () => {
    const secret = new GoStruct('*dependency.Secret', new Map<string, unknown>([['Data', { k: 'v' }], ['LeaseID', '']]));
    expect(await render('{{ .Data.k }}', secret)).toBe('v');
    await expect(render('{{ .Nope }}', secret)).rejects.toThrow("can't evaluate field Nope in type *dependency.Secret");
    expect(await render('{{ . }}', secret)).toBe('&{map[k:v] }');
  });
  it('refuses arguments to a non-function', async () => {
    await expect(render('{{ .a 1 }}', { a: {} })).rejects.toThrow('a is not a method but has arguments');
    await expect(render('{{ "x" 1 }}')).rejects.toThrow("can't give argument to non-function");
  });
});

describe('control structures', () => {
  it('if / else if / else', async () => {
    const t = '{{ if eq .n 1 }}one{{ else if eq .n 2 }}two{{ else }}many{{ end }}';
    expect(await render(t, { n: 1 })).toBe('one');
    expect(await render(t, { n: 2 })).toBe('two');
    expect(await render(t, { n: 5 })).toBe('many');
  });
  it('Go truth: empty strings, zero, nil, empty lists and maps are false', async () => {
    const t = '{{ range .v }}{{ if . }}T{{ else }}F{{ end }}{{ end }}';
    expect(await render(t, { v: ['', 0, null, [], {}, 'x', 1, [0], { a: 1 }, false, true] })).toBe('FFFFFTTTTFT');
  });
  it('with / else with / else', async () => {
    const t = '{{ with .a }}a={{ . }}{{ else with .b }}b={{ . }}{{ else }}none{{ end }}';
    expect(await render(t, { a: 'x' })).toBe('a=x');
    expect(await render(t, { b: 'y' })).toBe('b=y');
    expect(await render(t, {})).toBe('none');
  });
  it('range over a list, a map in key order, an integer, and else for empty', async () => {
    expect(await render('{{ range .l }}<{{ . }}>{{ end }}', { l: ['a', 'b'] })).toBe('<a><b>');
    expect(await render('{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}', { m: { b: 2, a: 1, c: 3 } })).toBe('a=1;b=2;c=3;');
    expect(await render('{{ range $i, $e := .l }}{{ $i }}:{{ $e }} {{ end }}', { l: ['x', 'y'] })).toBe('0:x 1:y ');
    expect(await render('{{ range $e := .l }}{{ $e }}{{ end }}', { l: ['x', 'y'] })).toBe('xy');
    expect(await render('{{ range 3 }}{{ . }}{{ end }}')).toBe('012');
    expect(await render('{{ range .l }}x{{ else }}empty{{ end }}', { l: [] })).toBe('empty');
    expect(await render('{{ range .missing }}x{{ else }}empty{{ end }}', {})).toBe('empty');
  });
  it('break and continue', async () => {
    const t = '{{ range .l }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}';
    expect(await render(t, { l: [1, 2, 3, 4, 5] })).toBe('13');
  });
  it('variables: declaration, assignment, scope to {{end}}, and $ for the root', async () => {
    expect(await render('{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}')).toBe('2');
    expect(await render('{{ range .l }}{{ $.name }}{{ . }}{{ end }}', { name: 'n', l: [1, 2] })).toBe('n1n2');
    await expect(render('{{ if true }}{{ $y := 3 }}{{ end }}{{ $y }}')).rejects.toThrow('undefined variable "$y"');
  });
  it('define, template and block', async () => {
    expect(await render('{{ define "t" }}[{{ . }}]{{ end }}{{ template "t" .a }}{{ block "b" .a }}<{{ . }}>{{ end }}', { a: 'A' })).toBe('[A]<A>');
  });
});

describe('whitespace, comments and delimiters', () => {
  it('trims with {{- and -}}', async () => {
    expect(await render('a  \n  {{- .x -}}  \n  b', { x: 'X' })).toBe('aXb');
    expect(await render('{{ range .l -}}\n  {{ . }}\n{{- end }}', { l: [1, 2] })).toBe('12');
    expect(await render('{{ range .l }}\n  {{ . }}{{ end }}', { l: [1, 2] })).toBe('\n  1\n  2');
    // `{{-3}}` is the number -3, not a trim marker.
    expect(await render('a {{-3}}')).toBe('a -3');
  });
  it('drops comments, trimmed or not', async () => {
    expect(await render('x{{/* a comment */}}y {{- /* trimmed */ -}} z')).toBe('xyz');
    await expect(render('{{/* open }}')).rejects.toThrow('unclosed comment');
  });
  it('uses custom delimiters', async () => {
    expect(await render('[[ .a ]] {{ .a }}', { a: 1 }, { delims: { left: '[[', right: ']]' } })).toBe('1 {{ .a }}');
  });
});

describe('pipelines and literals', () => {
  it('passes the piped value as the last argument', async () => {
    expect(await render('{{ "a" | printf "%s-%s" "b" }}')).toBe('b-a');
    expect(await render('{{ .a | len | printf "%03d" }}', { a: 'héllo' })).toBe('006');
  });
  it('evaluates parenthesised pipelines and fields of them', async () => {
    expect(await render('{{ (index .m "a").b }} {{ printf "%d" (len .l) }}', { m: { a: { b: 'deep' } }, l: [1, 2] })).toBe('deep 2');
  });
  it('reads Go literals: raw strings, escapes, chars, hex, octal, floats', async () => {
    expect(await render('{{ `r\\n` }} {{ "q\\t\\u00e9\\x41" }} {{ \'a\' }} {{ 0x1F }} {{ 0o17 }} {{ 1.5 }} {{ 1_000 }}')).toBe('r\\n q\té\x41 97 31 15 1.5 1000');
  });
});
