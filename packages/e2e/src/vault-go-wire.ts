/**
 * The wire form of HashiCorp's Go client (`github.com/hashicorp/vault/api`), which External Secrets
 * Operator and the Vault CSI provider both use, and the shape its `ParseSecret` decodes responses
 * into. Replaying calls in exactly this form catches what a friendlier client would hide: the Go
 * client sends JSON bodies without a Content-Type, adds `X-Vault-Request: true` to every call, and
 * fails to decode a response whose fields have the wrong JSON type.
 */

export interface GoRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Without `/v1/`: `auth/kubernetes/login`, `secret/data/app/config`. */
  path: string;
  /** Query parameters (`version`, `list`), as `Request.Params`. */
  params?: Record<string, string>;
  token?: string;
  /** Encoded as Go's json.Encoder does: the JSON text plus a newline. */
  body?: unknown;
}

export interface GoReply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** Sends one request as vault/api's `Request.ToHTTP` builds it. */
export async function goVaultRequest(base: string, request: GoRequest): Promise<GoReply> {
  const query = request.params ? `?${new URLSearchParams(request.params).toString()}` : '';
  const headers: Record<string, string> = {
    // Every api.Client sets this (SSRF protection on Vault's side); Go's transport adds the other two.
    'X-Vault-Request': 'true',
    'User-Agent': 'Go-http-client/1.1',
    'Accept-Encoding': 'gzip',
  };
  if (request.token) headers['X-Vault-Token'] = request.token;
  const res = await fetch(`${base}/v1/${request.path}${query}`, {
    method: request.method,
    headers,
    ...(request.body === undefined ? {} : { body: `${JSON.stringify(request.body)}\n` }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * vault/api's `ReadWithData`/`List` treatment of a 404: a body with neither `data` nor `warnings`
 * means "no secret" (nil, no error); one that carries data (a deleted KV v2 version) is returned.
 */
export function goReadResult(reply: GoReply): 'secret' | 'none' | 'error' {
  if (reply.status === 200) return 'secret';
  if (reply.status !== 404) return 'error';
  const body = reply.json as { data?: unknown; warnings?: unknown[] } | undefined;
  if (body === undefined) return 'none';
  const hasData = body.data !== undefined && body.data !== null;
  const hasWarnings = Array.isArray(body.warnings) && body.warnings.length > 0;
  return hasData || hasWarnings ? 'secret' : 'none';
}

type Problems = string[];

const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
const isStringArray = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks one field against the Go type it decodes into (absent and null decode to the zero value). */
function field(problems: Problems, where: string, value: unknown, ok: (v: unknown) => boolean, goType: string, nullable = true): void {
  if (value === undefined || (nullable && value === null)) return;
  if (!ok(value)) problems.push(`${where}: ${JSON.stringify(value)} does not decode into Go ${goType}`);
}

/**
 * The problems Go's json decoder would hit turning `body` into vault/api's `Secret` (and its
 * `SecretAuth`, `SecretWrapInfo`): an empty list means the Go client decodes it.
 */
export function goSecretProblems(body: unknown): Problems {
  const problems: Problems = [];
  if (!isObject(body)) return ['the body is not a JSON object'];
  field(problems, 'request_id', body['request_id'], (v) => typeof v === 'string', 'string', false);
  field(problems, 'lease_id', body['lease_id'], (v) => typeof v === 'string', 'string', false);
  field(problems, 'lease_duration', body['lease_duration'], isInt, 'int', false);
  field(problems, 'renewable', body['renewable'], (v) => typeof v === 'boolean', 'bool', false);
  field(problems, 'data', body['data'], isObject, 'map[string]interface{}');
  field(problems, 'warnings', body['warnings'], isStringArray, '[]string');
  field(problems, 'mount_type', body['mount_type'], (v) => typeof v === 'string', 'string', false);
  const auth = body['auth'];
  field(problems, 'auth', auth, isObject, '*SecretAuth');
  if (isObject(auth)) {
    field(problems, 'auth.client_token', auth['client_token'], (v) => typeof v === 'string', 'string', false);
    field(problems, 'auth.accessor', auth['accessor'], (v) => typeof v === 'string', 'string', false);
    for (const key of ['policies', 'token_policies', 'identity_policies']) field(problems, `auth.${key}`, auth[key], isStringArray, '[]string');
    field(problems, 'auth.metadata', auth['metadata'], (v) => isObject(v) && Object.values(v).every((x) => typeof x === 'string'), 'map[string]string');
    field(problems, 'auth.orphan', auth['orphan'], (v) => typeof v === 'boolean', 'bool', false);
    field(problems, 'auth.entity_id', auth['entity_id'], (v) => typeof v === 'string', 'string', false);
    field(problems, 'auth.lease_duration', auth['lease_duration'], isInt, 'int', false);
    field(problems, 'auth.renewable', auth['renewable'], (v) => typeof v === 'boolean', 'bool', false);
    field(problems, 'auth.mfa_requirement', auth['mfa_requirement'], isObject, '*MFARequirement');
  }
  const wrap = body['wrap_info'];
  field(problems, 'wrap_info', wrap, isObject, '*SecretWrapInfo');
  if (isObject(wrap)) {
    field(problems, 'wrap_info.ttl', wrap['ttl'], isInt, 'int', false);
    field(problems, 'wrap_info.creation_time', wrap['creation_time'], isRfc3339, 'time.Time', false);
  }
  return problems;
}

/** What Go's `time.Parse(time.RFC3339, s)` accepts (fractional seconds included). */
export function isRfc3339(value: unknown): boolean {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value);
}
