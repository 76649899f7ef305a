import { CofferError } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { parseServerConfig } from './server-config.js';

const noEnv = {};

/** The problems the parser reports for `text`, one string per line of the error message. */
async function problemsIn(text: string, fileName = 'config.hcl', env: Record<string, string> = noEnv): Promise<string[]> {
  const error: unknown = await parseServerConfig(text, { fileName, env }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the config to be refused').toBeInstanceOf(CofferError);
  expect((error as CofferError).code).toBe('invalid_request');
  return (error as CofferError).message.split('\n');
}

const MINIMAL = `storage "inmem" {}
listener "tcp" {
  tls_disable = true
}
`;

const MUST_BE_ADDRESS = 'must be host:port, such as "127.0.0.1:8200", "0.0.0.0:8200" or "[::1]:8200"';
const MUST_BE_DURATION = 'must be a duration such as "768h" or "1h30m", or a number of seconds';

describe('parseServerConfig: refused files name file, line and key', () => {
  it('unknown keys, with a suggestion when one is close', async () => {
    const text = `storage "file" {
  path  = "/d"
  pathh = "/e"
}
listener "tcp" {
  tls_disable = true
  adress = "x"
}
storge = 1
foo = "bar"
`;
    expect(await problemsIn(text)).toEqual([
      'config.hcl:3: unknown key "pathh" in storage "file" (did you mean "path"?)',
      'config.hcl:7: unknown key "adress" in listener "tcp" (did you mean "address"?)',
      'config.hcl:9: unknown key "storge" (did you mean "storage"?)',
      'config.hcl:10: unknown key "foo"',
    ]);
  });

  it('unknown stanza types and stanza kinds', async () => {
    const text = `storage "consul" {
  address = "http://x"
}
listener "unix" {
}
telemetry "statsd" {
  address = "x"
}
`;
    expect(await problemsIn(text)).toEqual([
      'config.hcl:1: unknown storage type "consul" (supported: file, inmem, etcd)',
      'config.hcl:4: unknown listener type "unix" (supported: tcp)',
      'config.hcl:6: unknown key "telemetry"',
    ]);
  });

  it('a stanza without a type', async () => {
    const text = `storage {
  path = "/d"
}
listener "tcp" {
  tls_disable = true
}
`;
    const needsType = 'storage needs a type, e.g. storage "file" { path = "/var/lib/coffer" }';
    expect(await problemsIn(text)).toEqual([`config.hcl:1: ${needsType}`]);
    const json = '{ "storage": { "path": "/d" }, "listener": { "tcp": { "tls_disable": true } } }';
    expect(await problemsIn(json, 'c.json')).toEqual([`c.json:1: ${needsType}`]);
  });

  it('missing or empty storage path', async () => {
    const missing = `listener "tcp" {
  tls_disable = true
}

storage "file" {
}
`;
    expect(await problemsIn(missing)).toEqual(['config.hcl:5: missing required key "path" in storage "file"']);
    const empty = MINIMAL.replace('storage "inmem" {}', 'storage "file" {\n  path = " "\n}');
    expect(await problemsIn(empty)).toEqual(['config.hcl:2: "path" in storage "file": must not be empty, got " "']);
  });

  it('missing storage and listener stanzas', async () => {
    expect(await problemsIn('ui = true\n')).toEqual([
      'config.hcl: a storage stanza is required, e.g. storage "file" { path = "/var/lib/coffer" }',
      'config.hcl: a listener stanza is required, e.g. listener "tcp" { address = "127.0.0.1:8200" }',
    ]);
  });

  it('two storage stanzas', async () => {
    expect(await problemsIn(`${MINIMAL}\nstorage "file" {\n  path = "/d"\n}\n`)).toEqual([
      'config.hcl:6: only one storage stanza is allowed; the first is at line 1',
    ]);
  });

  it('bad durations, and a default lease TTL above the maximum', async () => {
    expect(await problemsIn(`${MINIMAL}default_lease_ttl = "forever"\nmax_lease_ttl = "-1h"\n`)).toEqual([
      `config.hcl:5: "default_lease_ttl": ${MUST_BE_DURATION}, got "forever"`,
      `config.hcl:6: "max_lease_ttl": ${MUST_BE_DURATION}, got "-1h"`,
    ]);
    expect(await problemsIn(`${MINIMAL}max_lease_ttl = "24h"\ndefault_lease_ttl = "48h"\n`)).toEqual([
      'config.hcl:6: "default_lease_ttl" (48h0m0s) is longer than "max_lease_ttl" (24h0m0s)',
    ]);
    expect(await problemsIn(`${MINIMAL}default_lease_ttl = "1000h"\n`)).toEqual([
      'config.hcl:5: "default_lease_ttl" (1000h0m0s) is longer than "max_lease_ttl" (768h0m0s)',
    ]);
    const listener = `storage "inmem" {}
listener "tcp" {
  tls_disable = true
  max_request_duration = "soon"
}
`;
    expect(await problemsIn(listener)).toEqual([
      `config.hcl:4: "max_request_duration" in listener "tcp": ${MUST_BE_DURATION}, got "soon"`,
    ]);
  });

  it('TLS without both files', async () => {
    const needsFiles = 'TLS needs both tls_cert_file and tls_key_file; set them, or set tls_disable = true';
    const neither = `storage "inmem" {}

listener "tcp" {
  address = "0.0.0.0:8200"
}
`;
    expect(await problemsIn(neither)).toEqual([`config.hcl:3: listener "tcp": ${needsFiles}`]);
    const keyOnly = `storage "inmem" {}
listener "tcp" {
  tls_key_file = "k.pem"
}
`;
    expect(await problemsIn(keyOnly)).toEqual([`config.hcl:2: listener "tcp": ${needsFiles}`]);
    const oldTls = `storage "inmem" {}
listener "tcp" {
  tls_cert_file   = "c.pem"
  tls_key_file    = "k.pem"
  tls_min_version = "tls10"
}
`;
    expect(await problemsIn(oldTls)).toEqual([
      'config.hcl:5: "tls_min_version" in listener "tcp": must be one of tls12, tls13, got "tls10"',
    ]);
  });

  it('bad listener addresses and ports', async () => {
    const cases: Array<[string, string]> = [
      ['localhost', MUST_BE_ADDRESS],
      ['127.0.0.1:70000', 'has a port above 65535'],
      ['127.0.0.1:http', MUST_BE_ADDRESS],
      ['::1:8200', MUST_BE_ADDRESS],
      ['[zz::1]:8200', MUST_BE_ADDRESS],
      ['bad_host!:8200', MUST_BE_ADDRESS],
      ['{{ GetPrivateIP }}:8200', MUST_BE_ADDRESS],
    ];
    for (const [address, message] of cases) {
      const text = `storage "inmem" {}\nlistener "tcp" {\n  tls_disable = true\n  address = "${address}"\n}\n`;
      expect(await problemsIn(text)).toEqual([`config.hcl:4: "address" in listener "tcp": ${message}, got "${address}"`]);
    }
    const twice = `${MINIMAL}listener "tcp" {\n  tls_disable = true\n  address = "127.0.0.1:8200"\n}\n`;
    expect(await problemsIn(twice)).toEqual([
      'config.hcl:7: "address" in listener "tcp": 127.0.0.1:8200 is already used by the listener at line 2',
    ]);
  });

  it('wrong types, quoting long values only in part', async () => {
    const text = `storage "inmem" {}
listener "tcp" {
  tls_disable = "maybe"
  max_request_size = 1.5
}
ui = [true]
api_addr = "${'x'.repeat(200)}"
`;
    expect(await problemsIn(text)).toEqual([
      'config.hcl:3: "tls_disable" in listener "tcp": must be a boolean (true or false), got "maybe"',
      'config.hcl:4: "max_request_size" in listener "tcp": must be a whole number, got 1.5',
      'config.hcl:6: "ui": must be a boolean (true or false), got [true]',
      `config.hcl:7: "api_addr": must be a full URL such as "https://coffer.example.com:8200", got "${'x'.repeat(56)}...`,
    ]);
  });

  it('interpolation, which neither Vault nor Coffer performs', async () => {
    const notExpanded = '"${...}" is not expanded; Coffer, like Vault, takes config values literally';
    expect(await problemsIn(`${MINIMAL}pid_file = "\${HOME}/coffer.pid"\ncluster_name = env.NAME\n`)).toEqual([
      `config.hcl:5: "pid_file": ${notExpanded}`,
      `config.hcl:6: "cluster_name": ${notExpanded}`,
    ]);
  });

  it('HCL syntax errors, at line and column, named after the key', async () => {
    expect(await problemsIn('storage "file" {\n  path = "/x"\n  bad =\n}\n')).toEqual([
      'config.hcl:3:8: "bad": Invalid expression; Expected the start of an expression, but found an invalid expression token.',
    ]);
    const [unclosed] = await problemsIn('ui = true\nstorage "file" {\n  path = "/x"\n');
    expect(unclosed).toMatch(/^config\.hcl:2:16: storage "file": Unclosed configuration block; There is no closing brace/);
    const [duplicate] = await problemsIn('ui = true\nui = false\n');
    expect(duplicate).toMatch(/^config\.hcl:2:1: "ui": Attribute redefined; The argument "ui" was already set at line 1\./);
  });

  it('binary garbage, at the first control character', async () => {
    expect(await problemsIn(`${MINIMAL}ui = true\u0000\u0001\u0002PK\u0003\u0004`)).toEqual([
      'config.hcl:5:10: the file contains the control character U+0000; it does not look like a text configuration file',
    ]);
  });

  it('collects every problem, in file order, into one error', async () => {
    const text = `log_level = "loud"
storage "file" {
  pathh = "/d"
}
listener "tcp" {
  address = "x"
}
max_lease_ttl = "1h"
default_lease_ttl = "2h"
`;
    const lines = await problemsIn(text);
    expect(lines.map((line) => line.split(':').slice(0, 2).join(':'))).toEqual([
      'config.hcl:1',
      'config.hcl:2',
      'config.hcl:3',
      'config.hcl:6',
      'config.hcl:9',
    ]);
  });
});

describe('parseServerConfig: refused JSON files', () => {
  it('name the line of the offending key', async () => {
    const text = `{
  "storage": { "file": { "path": "/d", "pathh": "/e" } },
  "listener": [
    { "tcp": { "address": "127.0.0.1:8200", "tls_disable": true } },
    { "tcp": {
        "address": "127.0.0.1:8300",
        "tls_disable": "maybe"
    } }
  ],
  "ui": "yes"
}`;
    expect(await problemsIn(text, 'config.json')).toEqual([
      'config.json:2: unknown key "pathh" in storage "file" (did you mean "path"?)',
      'config.json:7: "tls_disable" in listener "tcp": must be a boolean (true or false), got "maybe"',
      'config.json:10: "ui": must be a boolean (true or false), got "yes"',
    ]);
  });

  it('report syntax errors at line and column', async () => {
    const missingValue = `{
  "storage": { "inmem": {} },
  "listener": { "tcp": { "address": } }
}`;
    expect(await problemsIn(missingValue, 'config.json')).toEqual([
      'config.json:3:37: invalid JSON: a value was expected',
    ]);
    expect(await problemsIn('{\n  "ui": true,\n}', 'config.json')).toEqual([
      'config.json:3:1: invalid JSON: expected a property name in double quotes',
    ]);
  });

  it('refuse duplicate keys, which JSON.parse would silently drop', async () => {
    const text = `{
  "storage": { "inmem": {} },
  "listener": { "tcp": { "tls_disable": true } },
  "storage": { "file": { "path": "/d" } }
}`;
    expect(await problemsIn(text, 'config.json')).toEqual([
      'config.json:4: duplicate key "storage" (first at line 2); to give several stanzas, use an array',
    ]);
  });
});
