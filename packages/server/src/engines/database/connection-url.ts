import { CofferError } from '@coffer/sdk';

/**
 * Where and as whom to connect, parsed from a config's `connection_url`. The URL is parsed while
 * it still holds `{{username}}`/`{{password}}`, and the credentials are put into the parsed fields
 * afterwards, so no character of a password (`@`, `/`, `:`) can change what the URL means.
 */
export interface ConnectionTarget {
  host?: string;
  port?: number;
  socketPath?: string;
  database?: string;
  user?: string;
  password?: string;
  /** Query parameters (`sslmode`, `tls`, `application_name`, …). */
  params: Record<string, string>;
}

export interface Credentials {
  username: string;
  password: string;
}

const fill = (text: string, creds: Credentials): string =>
  text.replaceAll('{{username}}', creds.username).replaceAll('{{password}}', creds.password);

const invalid = (message: string) => new CofferError('invalid_request', `invalid connection_url: ${message}`);

/** `postgres://…`/`postgresql://…` URLs, or libpq's `key=value` form. */
export function parsePostgresUrl(template: string, creds: Credentials): ConnectionTarget {
  const trimmed = template.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return parseUrl(trimmed, creds);
  if (/^\s*\w+\s*=/.test(trimmed)) return parseKeyValues(trimmed, creds);
  throw invalid('expected postgresql://user:password@host:port/database or host=… user=… key=value pairs');
}

/** Go's MySQL DSN as Vault takes it (`user:password@tcp(host:port)/db?params`), or a `mysql://` URL. */
export function parseMysqlDsn(template: string, creds: Credentials): ConnectionTarget {
  const trimmed = template.trim();
  if (/^(mysql|mariadb):\/\//i.test(trimmed)) return parseUrl(trimmed, creds);
  const slash = trimmed.lastIndexOf('/');
  if (slash === -1) throw invalid('expected user:password@tcp(host:port)/database');
  const [database = '', query = ''] = splitOnce(trimmed.slice(slash + 1), '?');
  const head = trimmed.slice(0, slash);
  const at = head.lastIndexOf('@');
  const userinfo = at === -1 ? '' : head.slice(0, at);
  const address = at === -1 ? head : head.slice(at + 1);
  const target: ConnectionTarget = { params: Object.fromEntries(new URLSearchParams(query)) };
  if (database !== '') target.database = database;
  if (userinfo !== '') {
    const [user = '', password] = splitOnce(userinfo, ':');
    target.user = fill(user, creds);
    if (password !== undefined) target.password = fill(password, creds);
  }
  const net = /^(\w+)(?:\((.*)\))?$/.exec(address);
  if (address === '') {
    target.host = '127.0.0.1';
    target.port = 3306;
  } else if (!net) {
    throw invalid('expected tcp(host:port) or unix(/path/to/socket) after "@"');
  } else if (net[1] === 'unix') {
    target.socketPath = net[2] ?? '/tmp/mysql.sock';
  } else if (net[1] === 'tcp') {
    const [host, port] = splitHostPort(net[2] || '127.0.0.1:3306', 3306);
    target.host = host;
    target.port = port;
  } else {
    throw invalid(`unknown network "${net[1]}"; use tcp or unix`);
  }
  return target;
}

function parseUrl(text: string, creds: Credentials): ConnectionTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('not a valid URL');
  }
  const target: ConnectionTarget = { params: {} };
  for (const [key, value] of url.searchParams) target.params[key] = fill(value, creds);
  if (url.username !== '') target.user = fill(decoded(url.username), creds);
  if (url.password !== '') target.password = fill(decoded(url.password), creds);
  if (url.hostname !== '') target.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.port !== '') target.port = Number(url.port);
  const database = decoded(url.pathname.replace(/^\//, ''));
  if (database !== '') target.database = database;
  // libpq's host parameter may name a socket folder.
  const hostParam = target.params.host;
  if (hostParam?.startsWith('/')) target.socketPath = hostParam;
  return target;
}

/** libpq's `key=value` pairs; values may be single-quoted with `\'` and `\\` escapes. */
function parseKeyValues(text: string, creds: Credentials): ConnectionTarget {
  const pairs: Record<string, string> = {};
  const re = /\s*([A-Za-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S*))/y;
  let at = 0;
  while (at < text.length && text.slice(at).trim() !== '') {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw invalid('expected key=value pairs');
    pairs[(m[1] as string).toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
    at = re.lastIndex;
  }
  const { host, port, user, password, dbname, ...params } = pairs;
  const target: ConnectionTarget = { params: {} };
  for (const [key, value] of Object.entries(params)) target.params[key] = fill(value, creds);
  if (host !== undefined) {
    if (host.startsWith('/')) target.socketPath = host;
    else target.host = host;
  }
  if (port !== undefined) target.port = Number(port);
  if (user !== undefined) target.user = fill(user, creds);
  if (password !== undefined) target.password = fill(password, creds);
  if (dbname !== undefined) target.database = dbname;
  return target;
}

/**
 * The URL as a config read shows it: a password written into it is replaced by `xxxxx`, as
 * Go's url.Redacted does; the `{{password}}` template stays.
 */
export function redactConnectionUrl(text: string): string {
  const url = /^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i.exec(text);
  if (url) return redactUserinfo(text, (url[1] as string).length, (url[2] as string).length);
  const kv = text.replace(/(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)/gi, (all, key: string, value: string) =>
    value === '{{password}}' ? all : `${key}xxxxx`,
  );
  if (kv !== text) return kv;
  const slash = text.lastIndexOf('/');
  const at = slash === -1 ? -1 : text.slice(0, slash).lastIndexOf('@');
  return at === -1 ? text : redactUserinfo(text, 0, at);
}

function redactUserinfo(text: string, start: number, length: number): string {
  const userinfo = text.slice(start, start + length);
  const colon = userinfo.indexOf(':');
  if (colon === -1 || userinfo.slice(colon + 1) === '{{password}}' || userinfo.slice(colon + 1) === '') return text;
  return `${text.slice(0, start)}${userinfo.slice(0, colon)}:xxxxx${text.slice(start + length)}`;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalid('bad percent-encoding');
  }
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const i = text.indexOf(separator);
  return i === -1 ? [text, undefined] : [text.slice(0, i), text.slice(i + separator.length)];
}

function splitHostPort(address: string, defaultPort: number): [string, number] {
  const bracketed = /^\[(.*)\](?::(\d+))?$/.exec(address);
  if (bracketed) return [bracketed[1] as string, bracketed[2] ? Number(bracketed[2]) : defaultPort];
  const colon = address.lastIndexOf(':');
  if (colon === -1) return [address, defaultPort];
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) throw invalid(`bad port in "${address}"`);
  return [address.slice(0, colon), port];
}
