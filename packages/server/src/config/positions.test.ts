import { CofferError } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { scanHclPositions } from './hcl-positions.js';
import { scanJsonPositions } from './json-positions.js';
import { LineIndex, type PosNode } from './positions.js';
import { parseServerConfig } from './server-config.js';

/** Every key the scanner found, as "path.to.key@line", in document order per object. */
function keysOf(node: PosNode, path = ''): string[] {
  const out: string[] = [];
  for (const [key, entries] of node.keys ?? []) {
    for (const entry of entries) {
      out.push(`${path}${key}@${entry.line}`);
      out.push(...keysOf(entry.value, `${path}${key}.`));
    }
  }
  (node.items ?? []).forEach((item, i) => out.push(...keysOf(item, `${path}${i}.`)));
  return out;
}

// Comments, strings and heredocs full of things that look like keys and braces.
const TRICKY_HCL = `# storage "decoy" { path = "x" }
// listener "decoy" {
/* multi-line comment {
   pathh = "nope"
} */
storage "file" {
  path = "/var/lib/{coffer}#not-a-comment//either"
}
cluster_name = "a \\" quote and a \${ "template with } brace" } and %{ if true }x%{ endif }"
pid_file = <<-EOT
  listener "tcp" {
    address = "heredoc"
  }
  EOT
listener "tcp" { address = "127.0.0.1:1" }
listener "tcp" {
  address = "127.0.0.1:2"
  telemetry {
    unauthenticated_metrics_access = true
  }
  tags = {
    "team" = "vault"
    tier   = 3
  }
  list = [
    { a = 1 },
    {
      b = 2
    },
  ]
  expr = (1 +
    2)
  cond = 1 == 1 ? "x" : "y"
}
ui = true
`;

describe('scanHclPositions', () => {
  it('finds every key at its line, and nothing inside comments, strings or heredocs', () => {
    expect(keysOf(scanHclPositions(TRICKY_HCL))).toEqual([
      'storage@6',
      'storage.file@6',
      'storage.file.path@7',
      'cluster_name@9',
      'pid_file@10',
      'listener@15',
      'listener.tcp@15',
      'listener.tcp.address@15',
      'listener@16',
      'listener.tcp@16',
      'listener.tcp.address@17',
      'listener.tcp.telemetry@18',
      'listener.tcp.telemetry.unauthenticated_metrics_access@19',
      'listener.tcp.tags@21',
      'listener.tcp.tags.team@22',
      'listener.tcp.tags.tier@23',
      'listener.tcp.list@25',
      'listener.tcp.list.0.a@26',
      'listener.tcp.list.1.b@28',
      'listener.tcp.expr@31',
      'listener.tcp.cond@33',
      'ui@35',
    ]);
  });

  it('counts lines the same with CRLF line endings', () => {
    const keys = keysOf(scanHclPositions(TRICKY_HCL.replaceAll('\n', '\r\n')));
    expect(keys).toContain('listener.tcp.cond@33');
    expect(keys).toContain('ui@35');
  });

  it('nests block labels as hcl2json does', () => {
    expect(keysOf(scanHclPositions('a "b" c {\n  d = 1\n}\n'))).toEqual(['a@1', 'a.b@1', 'a.b.c@1', 'a.b.c.d@2']);
  });

  it('puts errors after tricky content at the right line, end to end', async () => {
    // Two lines shorter: the telemetry block becomes one attribute (a number where a block belongs).
    const text = TRICKY_HCL.replace('ui = true', 'ui = "sure"').replace(/ {2}telemetry \{\n.*\n {2}\}\n/, '  telemetry = 1\n');
    const error = await parseServerConfig(text, { fileName: 'tricky.hcl', env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CofferError);
    const lines = (error as CofferError).message.split('\n');
    expect(lines).toContain('tricky.hcl:18: "telemetry" in listener "tcp": must be a block: telemetry { unauthenticated_metrics_access = true }, got 1');
    expect(lines).toContain('tricky.hcl:19: unknown key "tags" in listener "tcp"');
    expect(lines).toContain('tricky.hcl:33: "ui": must be a boolean (true or false), got "sure"');
  });
});

describe('scanJsonPositions', () => {
  it('finds keys inside objects and arrays', () => {
    const scan = scanJsonPositions(`{
  "a": {
    "b": [
      {"c": 1},
      {
        "d": "}"
      }
    ]
  },
  "e\\"f": null
}`);
    expect('root' in scan && keysOf(scan.root)).toEqual(['a@2', 'a.b@3', 'a.b.0.c@4', 'a.b.1.d@6', 'e"f@10']);
  });

  it('reports duplicate keys with both lines', () => {
    const scan = scanJsonPositions('{\n"a": 1,\n"b": {"a": 1},\n"a": 2\n}');
    expect('root' in scan && scan.duplicates).toEqual([{ key: 'a', line: 4, firstLine: 2 }]);
  });

  it('locates syntax errors by line and column', () => {
    const cases: Array<[string, number, number, string]> = [
      ['{\n  "a": 1\n  "b": 2\n}', 3, 3, 'expected "," or "}" after the value of "a"'],
      ['{\n  "a" 1\n}', 2, 7, 'expected ":" after the property name "a"'],
      ['{\n  "a": tru\n}', 2, 8, 'a value was expected'],
      ['{\n  "a": "x\ny"\n}', 2, 10, 'control character (such as a line break) inside a string'],
      ['{\n  "a": "\\q"\n}', 2, 9, 'invalid escape sequence in string'],
      ['{\n  "a": "open', 2, 8, 'unterminated string'],
      ['{\n  "a": [1, 2\n', 3, 1, 'expected "," or "]" after an array element'],
      ['{"a": 1} x', 1, 10, 'unexpected text after the end of the JSON document'],
      ['{"a": 01}', 1, 8, 'expected "," or "}" after the value of "a"'],
      ['{"a": ', 1, 7, 'unexpected end of the file; a value was expected'],
    ];
    for (const [text, line, column, message] of cases) {
      expect(scanJsonPositions(text), text).toEqual({ line, column, message });
      expect(() => JSON.parse(text), text).toThrow();
    }
  });

  it('accepts whatever JSON.parse accepts', () => {
    for (const text of ['{}', '{"a":[]}', '{"a":-1.5e+3,"b":[true,false,null,"\\u00e9\\n"]}', ' \n{ "a" : { } } \n']) {
      expect('root' in scanJsonPositions(text), text).toBe(true);
    }
  });
});

describe('LineIndex', () => {
  it('maps offsets to 1-based lines and columns', () => {
    const index = new LineIndex('ab\ncd\n\nef');
    expect([0, 1, 2, 3, 5, 6, 7, 8].map((at) => [index.line(at), index.column(at)])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 1],
      [2, 3],
      [3, 1],
      [4, 1],
      [4, 2],
    ]);
  });
});
