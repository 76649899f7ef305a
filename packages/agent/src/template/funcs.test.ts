import { describe, expect, it } from 'vitest';
import { render } from '../../test/render-template.js';

describe("Go's builtin functions", () => {
  it('printf with Go verbs, flags, width and precision', async () => {
    expect(await render('{{ printf "%s|%5s|%-5s|%.2s|%q|%v|%d|%05d|%+d|%x|%X|%o|%b|%t|%c|%%" "a" "b" "c" "xyz" "q\\"" 1.5 42 42 7 255 "hi" 8 5 true 65 }}')).toBe(
      'a|    b|c    |xy|"q\\""|1.5|42|00042|+7|ff|6869|10|101|true|A|%',
    );
    expect(await render('{{ printf "%.3f|%e|%g|%8.2f" 3.14159 1234.5 0.00001 2.5 }}')).toBe('3.142|1.234500e+03|1e-05|    2.50');
    expect(await render('{{ printf "%d %s" "x" }}')).toBe('%!d(string=x) %!s(MISSING)');
    expect(await render('{{ printf "%s" "a" "b" }}')).toBe('a%!(EXTRA string=b)');
    expect(await render('{{ printf "%v|%+v" .m .m }}', { m: { b: [1], a: 'x' } })).toBe('map[a:x b:[1]]|map[a:x b:[1]]');
  });
  it('print and println', async () => {
    expect(await render('{{ print "a" 1 2 "b" }}|{{ println "a" 1 }}')).toBe('a1 2b|a 1\n');
  });
  it('len counts bytes of strings, items of lists and maps', async () => {
    expect(await render('{{ len "é" }} {{ len .l }} {{ len .m }}', { l: [1, 2, 3], m: { a: 1 } })).toBe('2 3 1');
    await expect(render('{{ len 3 }}')).rejects.toThrow('error calling len: len of type int');
  });
  it('index into maps, lists and nested values; a missing map key is nil', async () => {
    expect(await render('{{ index .m "a" }} {{ index .l 1 }} {{ index .n "x" 0 }} {{ index .m "zz" }}', { m: { a: 'A' }, l: [1, 2], n: { x: ['deep'] } })).toBe('A 2 deep <no value>');
    await expect(render('{{ index .l 5 }}', { l: [1] })).rejects.toThrow('index out of range: 5');
  });
  it('slice', async () => {
    expect(await render('{{ slice .l 1 3 }} {{ slice "hello" 1 }}', { l: [1, 2, 3, 4] })).toBe('[2 3] ello');
  });
  it('comparisons: eq with several operands, ne, lt, le, gt, ge; nil only equals nil', async () => {
    expect(await render('{{ eq 1 2 3 1 }} {{ ne "a" "b" }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1 2 }} {{ eq .nope "x" }} {{ eq .nope nil }}', {})).toBe(
      'true true true true true false false true',
    );
    await expect(render('{{ eq 1 "1" }}')).rejects.toThrow('incompatible types for comparison');
    await expect(render('{{ lt true false }}')).rejects.toThrow('invalid type for comparison');
  });
  it('and / or return an operand and short-circuit; not', async () => {
    expect(await render('{{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 "" "x" }} {{ or 0 "" }} {{ not 0 }}')).toBe('0 2 x  true');
    // The failing call is never made: `and` stops at the false operand.
    expect(await render('{{ and false (index .l 9) }}', { l: [] })).toBe('false');
  });
  it('html, js and urlquery escaping', async () => {
    expect(await render(`{{ html "<a href='x'>&" }} {{ js "it's \\"q\\"" }} {{ urlquery "a b&c" }}`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp; it\\\'s \\"q\\" a+b%26c');
  });
  it('refuses unknown functions at parse time and wrong argument counts at run time', async () => {
    await expect(render('{{ nope 1 }}')).rejects.toThrow('function "nope" not defined');
    await expect(render('{{ not 1 2 }}')).rejects.toThrow('wrong number of args for not: want 1 got 2');
  });
});

describe("consul-template's helper functions", () => {
  it('toJSON sorts keys and escapes HTML as Go does; toJSONPretty indents by two', async () => {
    const data = { m: { b: '<&>', a: [1, null, true], c: {} } };
    expect(await render('{{ .m | toJSON }}', data)).toBe('{"a":[1,null,true],"b":"\\u003c\\u0026\\u003e","c":{}}');
    expect(await render('{{ toJSONPretty .m }}', data)).toBe('{\n  "a": [\n    1,\n    null,\n    true\n  ],\n  "b": "\\u003c\\u0026\\u003e",\n  "c": {}\n}');
    expect(await render('{{ toUnescapedJSON .m.b }}', data)).toBe('"<&>"');
  });
  it('base64Encode / base64Decode and the URL variants', async () => {
    expect(await render('{{ base64Encode "héllo?" }} {{ "aMOpbGxvPw==" | base64Decode }} {{ base64URLEncode "??>" }} {{ base64URLDecode "Pz8-" }}')).toBe(
      'aMOpbGxvPw== héllo? Pz8- ??>',
    );
    await expect(render('{{ base64Decode "not base64!" }}')).rejects.toThrow('error calling base64Decode: base64Decode: illegal base64 data');
  });
  it('env reads the given environment; unset is empty', async () => {
    expect(await render('{{ env "POD" }}|{{ env "UNSET" }}|{{ envOrDefault "UNSET" "d" }}', undefined, { env: { POD: 'web-1' } })).toBe('web-1||d');
  });
  it('string helpers', async () => {
    expect(await render('{{ "a,b" | split "," | join ";" }} {{ toUpper "a" }} {{ toLower "B" }} {{ toTitle "hello world" }} {{ trimSpace "  x " }} {{ replaceAll "a" "b" "aXa" }} {{ contains "b" "abc" }} {{ indent 2 "a\\nb" }}')).toBe(
      'a;b A b Hello World x bXb true   a\n  b',
    );
    expect(await render('{{ if .tags | contains "prod" }}yes{{ end }} {{ in .tags "dev" }}', { tags: ['prod', 'eu'] })).toBe('yes false');
    expect(await render('{{ sha256Hex "x" }}')).toBe('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
  });
  it('parse helpers and math with the operands reversed, as consul-template', async () => {
    expect(await render('{{ parseInt "42" | add 1 }} {{ 10 | subtract 3 }} {{ 7 | divide 2 }} {{ 7 | modulo 2 }} {{ parseBool "true" }} {{ (parseJSON `{"a":[1]}`).a }}')).toBe('43 7 3 1 true [1]');
  });
});
