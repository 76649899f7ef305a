import type { SeededRandom } from './seeded-random.js';

/** Field names Vault handlers read, so wrong types land on real code paths, not just the parser. */
const FIELDS = [
  'data', 'options', 'cas', 'version', 'versions', 'max_versions', 'policies', 'policy', 'ttl', 'explicit_max_ttl',
  'period', 'num_uses', 'renewable', 'meta', 'display_name', 'role_id', 'secret_id', 'plaintext', 'ciphertext',
  'context', 'nonce', 'key_version', 'batch_input', 'type', 'config', 'description', 'key', 'keys', 'token',
  'accessor', 'increment', 'lease_id', 'path', 'rules', 'secret_shares', 'secret_threshold', 'reset', 'list',
  '__proto__', 'constructor', 'prototype', 'toString', '', ' ', 'a'.repeat(300), 'é\u0000', '\ud800',
] as const;

const ODD_STRINGS = [
  '', ' ', 'null', 'true', '0', '-1', '1e309', 'NaN', '-0', '0x10', '9'.repeat(400), '1h', '-1h', '999999999h',
  '../../../etc/passwd', '..%2f..%2f', '%00', '\u0000', '\ud800', '\udfff', '\u202e', 'é', '😀', '${jndi:x}',
  '<script>', "' OR 1=1 --", 'dmF1bHQ=', '!!notbase64!!', 'vault:v1:', 'vault:v99:AAAA', 'hvs.', '*', '/', '\\',
] as const;

/** A JSON value of any type, with nesting bounded by `depth`. */
export function jsonValue(random: SeededRandom, depth: number): unknown {
  const kind = depth <= 0 ? random.int(0, 5) : random.int(0, 8);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return random.pick([0, -1, 1, 2 ** 53 + 1, -(2 ** 31), 1.5, 1e308, -1e-308, Number.MAX_SAFE_INTEGER]);
    case 3:
      return random.pick(ODD_STRINGS);
    case 4:
      return random.ascii(random.int(0, 64));
    case 5:
      return random.chance(0.1) ? 'x'.repeat(random.int(1000, 70_000)) : random.ascii(random.int(1, 8));
    case 6:
    case 7: {
      const object: Record<string, unknown> = {};
      for (let i = random.int(0, 6); i > 0; i--) object[random.pick(FIELDS)] = jsonValue(random, depth - 1);
      return object;
    }
    default:
      return Array.from({ length: random.int(0, 6) }, () => jsonValue(random, depth - 1));
  }
}

/** Nesting far beyond any real request: recursive walkers (audit hashing, redaction) must not fall over. */
function deeplyNested(random: SeededRandom): string {
  const depth = random.pick([64, 1000, 5000, 20_000, 100_000]);
  const inArray = random.chance(0.5);
  const open = inArray ? '[' : '{"data":';
  const close = inArray ? ']' : '}';
  return `{"data":${open.repeat(depth)}1${close.repeat(depth)}}`;
}

/** Text that is not JSON, or almost JSON. */
const BROKEN_JSON = [
  '{', '}', '{"data":', '{"data":{"a":1}', '{"data":{"a":1}}}', "{'data':{}}", '{"data":{a:1}}', '{"data":NaN}',
  '{"data":Infinity}', '{"data":undefined}', '{"data":{}} trailing', '{"data":{},}', '[1,2,', '"unterminated',
  '{"a":"\\x41"}', '{"a":"\\u12"}', '/* comment */ {}', '\ufeff{"data":{}}', 'null', '0', 'true', '""', '[]',
  '{"data":{"a":1},"data":{"b":2}}', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"x":1}}}',
] as const;

export interface FuzzBody {
  bytes: Buffer;
  kind: string;
}

/** A request body: JSON of the wrong shape, type or depth, broken JSON, binary, empty or oversized. */
export function fuzzBody(random: SeededRandom): FuzzBody | undefined {
  const roll = random.next();
  if (roll < 0.15) return undefined;
  if (roll < 0.55) return { bytes: Buffer.from(JSON.stringify({ data: jsonValue(random, 4) })), kind: 'json-data' };
  if (roll < 0.72) return { bytes: Buffer.from(JSON.stringify(jsonValue(random, 5))), kind: 'json-any' };
  if (roll < 0.8) return { bytes: Buffer.from(random.pick(BROKEN_JSON)), kind: 'json-broken' };
  if (roll < 0.85) return { bytes: Buffer.from(deeplyNested(random)), kind: 'json-deep' };
  if (roll < 0.9) return { bytes: random.bytes(random.int(1, 2048)), kind: 'binary' };
  if (roll < 0.94) return { bytes: Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]), kind: 'bad-utf8' };
  if (roll < 0.97) return { bytes: Buffer.alloc(0), kind: 'empty' };
  if (roll < 0.998) {
    // Large but under the 32 MiB default max_request_size: a real handler has to chew on it.
    const size = random.pick([100_000, 300_000, 1_000_000, 4_000_000]);
    return { bytes: Buffer.from(`{"data":{"value":"${'v'.repeat(size)}"}}`), kind: `json-${size}B` };
  }
  // Over max_request_size: must be a 413, never a crash or an out-of-memory.
  return { bytes: Buffer.alloc(33 * 1024 * 1024 + random.int(1, 1000), 0x61), kind: 'oversized' };
}
