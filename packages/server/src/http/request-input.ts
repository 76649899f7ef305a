import { CofferError, isPlainObject, parseDurationSeconds, type Operation } from '@coffer/sdk';

/**
 * Turns the raw pieces of an HTTP request into what the core needs: the logical path, the
 * operation and the data. All the rules of Vault's HTTP mapping live here and nowhere else.
 */

const TRUE_VALUES = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

export interface LogicalInput {
  path: string;
  operation: Operation;
  data: Record<string, unknown>;
}

/** Splits `/v1/<path>?<query>` and validates the path: no `.`/`..`/empty segments, no control characters. */
export function parseTarget(rawUrl: string): { path: string; query: URLSearchParams } {
  const q = rawUrl.indexOf('?');
  const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : rawUrl.slice(q + 1));
  if (!rawPath.startsWith('/v1/')) throw new CofferError('unsupported_path', '');
  let path: string;
  try {
    path = decodeURIComponent(rawPath.slice('/v1/'.length));
  } catch {
    throw new CofferError('invalid_request', 'invalid request path: bad percent-encoding');
  }
  validatePath(path);
  return { path, query };
}

export function validatePath(path: string): void {
  if (!path.isWellFormed() || /[\u0000-\u001f\u007f]/.test(path)) {
    throw new CofferError('invalid_request', 'invalid request path: it contains non-printable characters');
  }
  const segments = path.split('/');
  // A trailing slash is allowed (list paths); any other empty segment, "." or ".." is not.
  if (segments.at(-1) === '') segments.pop();
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new CofferError('invalid_request', 'invalid request path: empty, "." and ".." segments are not allowed');
  }
}

export function operationFor(method: string, query: URLSearchParams): Operation {
  switch (method) {
    case 'GET':
      return TRUE_VALUES.has(query.get('list') ?? '') ? 'list' : 'read';
    case 'POST':
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      throw new CofferError('unsupported_operation', `unsupported method ${method}`);
  }
}

/** Query parameters become data for reads, lists and deletes (Vault's rule); `list` itself does not. */
export function queryData(query: URLSearchParams): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [key, value] of query) if (key !== 'list') data[key] = value;
  return data;
}

/**
 * Request bodies: JSON (whatever the content type says, as Vault does, unless it is a form that
 * does not start with `{` or `[`), form-encoded, or empty. Must be UTF-8 and a JSON object.
 */
export function parseBody(body: Buffer | undefined, contentType: string | undefined): Record<string, unknown> {
  if (!body || body.length === 0) return {};
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new CofferError('invalid_request', 'failed to parse request body: it is not valid UTF-8');
  }
  const trimmed = text.trimStart();
  if (/^application\/x-www-form-urlencoded/i.test(contentType ?? '') && !/^[[{]/.test(trimmed)) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (trimmed === '') return {};
  const depth = jsonDepth(text);
  if (depth > MAX_JSON_DEPTH) {
    throw new CofferError('invalid_request', `failed to parse JSON input: nesting depth ${depth} exceeds the maximum of ${MAX_JSON_DEPTH}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CofferError('invalid_request', `failed to parse JSON input: ${(error as Error).message}`);
  }
  if (parsed === null) return {};
  if (!isPlainObject(parsed)) throw new CofferError('invalid_request', 'failed to parse JSON input: the body must be a JSON object');
  return parsed;
}

/**
 * Vault's `max_json_depth` default (1.18+): deeper bodies are refused before parsing, so nothing
 * downstream (storage encoding, audit hashing, merge-patch) can be driven into a stack overflow.
 */
export const MAX_JSON_DEPTH = 300;

/** The deepest nesting of objects and arrays in a JSON text, skipping strings; one linear pass. */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** `X-Vault-Token` wins over `Authorization: Bearer`, as in Vault. */
export function tokenFrom(headers: Record<string, string | string[] | undefined>): string | undefined {
  const direct = headers['x-vault-token'];
  if (typeof direct === 'string' && direct !== '') return direct;
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1];
  }
  return undefined;
}

/** Set by a standby that forwards a request, over mutual TLS only: the original client's address. */
export const FORWARDED_FOR = 'x-coffer-forwarded-for';
export const FORWARDED_PORT = 'x-coffer-forwarded-port';

/**
 * The client's address as the core and the audit log see it: the socket's peer, except for a
 * request forwarded by a cluster member (authenticated by the cluster CA), whose header carries the
 * original client. Anything a client sends itself (X-Forwarded-For, our own header) is ignored.
 */
export function clientAddress(socket: unknown, headers: Record<string, string | string[] | undefined>): { address: string; port: number } {
  const s = socket as { trustedPeer?: boolean; remoteAddress?: string; remotePort?: number };
  const forwarded = headers[FORWARDED_FOR];
  if (s.trustedPeer && typeof forwarded === 'string' && forwarded !== '') {
    const port = Number(headers[FORWARDED_PORT] ?? 0);
    return { address: forwarded, port: Number.isInteger(port) ? port : 0 };
  }
  return { address: s.remoteAddress ?? '', port: s.remotePort ?? 0 };
}

/** `X-Vault-Wrap-TTL`: seconds or a duration; negative or garbage is a 400, as in Vault. */
export function wrapTtlFrom(header: string | string[] | undefined): number | undefined {
  if (header === undefined || header === '') return undefined;
  const text = Array.isArray(header) ? header[0] ?? '' : header;
  if (text.trim().startsWith('-')) throw new CofferError('invalid_request', 'invalid wrap TTL: it cannot be negative');
  const seconds = parseDurationSeconds(text, 'X-Vault-Wrap-TTL');
  return seconds === 0 ? undefined : seconds;
}
