import { fuzzBody } from './fuzz-bodies.js';
import { SeededRandom } from './seeded-random.js';

/** One generated request, as raw bytes, so framing and the request line can be broken too. */
export interface FuzzCase {
  index: number;
  bytes: Buffer;
  /** Half-close after sending (a body shorter than its Content-Length): the server must not wait forever. */
  halfClose: boolean;
  /** For reports: method, target (cut short) and how the body was built and framed. */
  summary: string;
}

const METHODS_COMMON = ['GET', 'POST', 'PUT', 'DELETE', 'LIST'] as const;
const METHODS_ODD = ['PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL', 'get', 'List', 'L1ST', 'CONNECT', 'SEARCH', 'QUERY', 'BREW'] as const;

const SEGMENTS = [
  'sys', 'fuzz', 'data', 'metadata', 'delete', 'undelete', 'destroy', 'subkeys', 'config', 'auth', 'token', 'create',
  'create-orphan', 'lookup', 'lookup-self', 'renew-self', 'approle', 'role', 'login', 'role-id', 'secret-id', 'transit',
  'keys', 'encrypt', 'decrypt', 'rewrap', 'datakey', 'hmac', 'sign', 'verify', 'random', 'hash', 'health', 'seal-status',
  'leader', 'mounts', 'policy', 'policies', 'acl', 'capabilities', 'capabilities-self', 'internal', 'ui', 'resultant-acl',
  'key-status', 'host-info', 'metrics', 'wrapping', 'unwrap', 'leases', 'lookup-accessor', 'tools', 'cubbyhole', 'userpass',
  'users', 'default', 'root', 'x', 'a b', 'é', '😀',
] as const;

const SEGMENT_MUTATIONS = [
  '..', '.', '%2e%2e', '%2E%2E', '%2e', '..%2f', '%2f', '%252e%252e', '%252f', '%00', '%ff', '%', '%zz', '%c0%ae%c0%ae',
  '\\..\\', ';', ';x=1', '~', '*', '{}', '$', '%0d%0a', '%20', '+', '@', 'a'.repeat(5000),
] as const;

const QUERIES = [
  '?list=true', '?list=1', '?list=false', '?list=true&list=false', '?version=-1', '?version=abc', '?version=1e99',
  '?version=', '?%zz', '?a=%', '?help=1', '?warning=x', '?x=' + 'q'.repeat(3000), '?', '?&&&', '#frag', '?list=true#x',
] as const;

/** Paths that, with a root token, would really change the server (seal it, drop audit, revoke the token…). */
const DESTRUCTIVE = /^(sys\/(seal|step-down|rotate|rekey|generate-root|init|unseal|audit|auth|mounts|remount|raw|plugins|config|policy|policies|leases|replication|storage|quotas)|auth\/token\/(revoke|tidy))/;

function normalise(target: string): string {
  let path = target.split(/[?#]/)[0] ?? '';
  for (let i = 0; i < 3; i++) {
    try {
      path = decodeURIComponent(path);
    } catch {
      break;
    }
  }
  const out: string[] = [];
  for (const segment of path.replace(/\\/g, '/').split('/')) {
    if (segment === '..') out.pop();
    else if (segment !== '.' && segment !== '') out.push(segment);
  }
  return out.join('/').toLowerCase().replace(/^v1\//, '');
}

function target(random: SeededRandom): string {
  const roll = random.next();
  if (roll < 0.04) {
    return random.pick(['*', '', '/', '/v1', '/v1/', 'http://127.0.0.1/v1/sys/health', '//v1//sys//health', 'v1/sys/health',
      '/v1/sys/../../../../etc/passwd', '/v1/fuzz/data/..%2f..%2fsys%2fhealth', '/v1/sys/health%00.json', `/v1/${'s/'.repeat(2000)}`,
      `/v1/fuzz/data/${'x'.repeat(20_000)}`, '/v1/%', '/ui/', '/v1/sys/internal/ui/mounts/fuzz']);
  }
  const segments: string[] = [];
  for (let i = random.int(1, 6); i > 0; i--) {
    segments.push(random.chance(0.2) ? random.pick(SEGMENT_MUTATIONS) : random.pick(SEGMENTS));
  }
  const prefix = random.chance(0.9) ? '/v1/' : random.pick(['/', '/v2/', '/V1/', '/v1//', '/v1/./']);
  const query = random.chance(0.2) ? random.pick(QUERIES) : '';
  // Spaces and raw non-ASCII in a request line are themselves bad input, but only sometimes.
  const raw = prefix + segments.join('/') + query;
  return random.chance(0.95) ? raw.replace(/ /g, '%20').replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c)) : raw;
}

function tokenHeaders(random: SeededRandom, root: string, allowRoot: boolean): string[] {
  if (allowRoot) return random.chance(0.85) ? [`X-Vault-Token: ${root}`] : [`Authorization: Bearer ${root}`];
  return random.pick([
    [],
    ['X-Vault-Token: '],
    [`X-Vault-Token: hvs.${random.ascii(24).replace(/[^A-Za-z0-9]/g, 'a')}`],
    [`X-Vault-Token: ${random.ascii(random.int(1, 100))}`],
    [`X-Vault-Token: ${'t'.repeat(9000)}`],
    [`X-Vault-Token: ${root.slice(0, -1)}`],
    ['X-Vault-Token: a', 'X-Vault-Token: b'],
    ['Authorization: Bearer'],
    ['Authorization: Basic Zm9vOmJhcg=='],
  ]);
}

const ODD_HEADERS = [
  'X-Vault-Wrap-TTL: 5m', 'X-Vault-Wrap-TTL: -1', 'X-Vault-Wrap-TTL: abc', 'X-Vault-Wrap-TTL: 99999999999h', 'X-Vault-Namespace: ns1/',
  'X-Vault-Request: true', 'X-Vault-Index: garbage', 'X-Vault-Inconsistent: forward-active-node', 'X-Vault-Forward: x',
  'X-Vault-No-Request-Forwarding: true', 'X-Vault-Policy-Override: true', 'X-Forwarded-For: 1.2.3.4, garbage', 'Expect: 100-continue',
  'Content-Encoding: gzip', 'Accept-Encoding: gzip, br', 'Connection: upgrade', 'Upgrade: websocket', 'Range: bytes=0-1',
  'Content-Type: text/plain', 'Content-Type: multipart/form-data; boundary=x', 'Content-Type: application/json; charset=utf-16',
  'Content-Type: ', 'X-Odd: \x01\x7f', 'X-Latin1: \xe9', `X-Huge: ${'h'.repeat(20_000)}`, 'Bad Header: x', ':: x', 'X-Empty:',
] as const;

/** The request at `index` of the run seeded with `seed`: generated alone, so any case can be replayed. */
export function fuzzCase(seed: number, index: number, rootToken: string): FuzzCase {
  const random = new SeededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const method = random.chance(0.8)
    ? random.pick(METHODS_COMMON)
    : random.chance(0.85)
      ? random.pick(METHODS_ODD)
      : random.pick([random.ascii(random.int(1, 12)).replace(/[ \r\n]/g, 'X'), 'G'.repeat(300), '']);
  const path = target(random);
  const wantsRoot = random.chance(0.5);
  const allowRoot = wantsRoot && !DESTRUCTIVE.test(normalise(path));
  const headers = [
    ...(random.chance(0.97) ? ['Host: 127.0.0.1'] : []),
    ...tokenHeaders(random, rootToken, allowRoot),
    ...(random.chance(0.7) ? ['Content-Type: application/json'] : []),
    ...Array.from({ length: random.chance(0.3) ? random.int(1, 3) : 0 }, () => random.pick(ODD_HEADERS)),
    ...(random.chance(0.01) ? Array.from({ length: 300 }, (_, i) => `X-Many-${i}: ${i}`) : []),
  ];
  const body = fuzzBody(random);
  const framing = body === undefined ? 'none' : random.pick(['length', 'length', 'length', 'length', 'length', 'length', 'chunked', 'chunked-bad', 'truncated', 'short-length', 'no-length', 'cl-and-te', 'dup-cl']);
  const payload = body?.bytes ?? Buffer.alloc(0);
  let tail: Buffer = payload;
  switch (framing) {
    case 'length':
    case 'truncated':
    case 'short-length': {
      const declared = framing === 'truncated' ? payload.length + random.int(1, 1000) : framing === 'short-length' ? Math.max(0, payload.length - random.int(1, 10)) : payload.length;
      headers.push(`Content-Length: ${declared}`);
      break;
    }
    case 'chunked':
      headers.push('Transfer-Encoding: chunked');
      tail = Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')]);
      break;
    case 'chunked-bad':
      headers.push('Transfer-Encoding: chunked');
      tail = Buffer.concat([Buffer.from(random.pick(['zz\r\n', `${(payload.length + 5).toString(16)}\r\n`, '-1\r\n', 'ffffffffffffffff\r\n'])), payload, Buffer.from('\r\n')]);
      break;
    case 'cl-and-te':
      headers.push(`Content-Length: ${payload.length}`, 'Transfer-Encoding: chunked');
      break;
    case 'dup-cl':
      headers.push(`Content-Length: ${payload.length}`, `Content-Length: ${payload.length + 1}`);
      break;
  }
  // Most requests close after one answer; some keep the connection and pipeline a LIST behind,
  // which Coffer's LIST-rewriting front must still frame correctly.
  const pipelineList = framing === 'length' && random.chance(0.08);
  headers.push(pipelineList ? 'Connection: keep-alive' : 'Connection: close');
  const version = random.chance(0.97) ? 'HTTP/1.1' : random.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1x', '']);
  const head = Buffer.from(`${method} ${path} ${version}\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1');
  const next = pipelineList ? Buffer.from(`LIST /v1/fuzz/metadata/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Vault-Token: ${rootToken}\r\nConnection: close\r\n\r\n`) : Buffer.alloc(0);
  return {
    index,
    bytes: Buffer.concat([head, tail, next]),
    halfClose: framing === 'truncated' || framing === 'chunked-bad',
    summary: `#${index} ${method.slice(0, 12)} ${path.slice(0, 80)} token=${allowRoot ? 'root' : 'other'} body=${body?.kind ?? 'none'}/${framing}${pipelineList ? '+LIST' : ''}`,
  };
}
