/**
 * Readers for the value shapes of Vault's etcd options. Each returns the value, or a message saying
 * what was expected (never repeating the value, which may be a secret).
 */
export type Read<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const bad = (message: string): Read<never> => ({ ok: false, message });

// Go's strconv.ParseBool, which Vault uses for these booleans.
const TRUE_WORDS = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

export function readBoolean(raw: unknown): Read<boolean> {
  if (typeof raw === 'boolean') return ok(raw);
  const text = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : undefined;
  if (text !== undefined && TRUE_WORDS.has(text)) return ok(true);
  if (text !== undefined && FALSE_WORDS.has(text)) return ok(false);
  return bad('must be a boolean (true or false)');
}

export function readString(raw: unknown): Read<string> {
  const value = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
  if (typeof value !== 'string') return bad('must be a string');
  if (value.trim() === '') return bad('must not be empty');
  return ok(value.trim());
}

const DURATION_UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration in milliseconds: a number or a string of digits is seconds (Vault's
 * ParseDurationSecond); otherwise Go's syntax such as `15s`, `1m30s` or `500ms`.
 */
export function readDurationMs(raw: unknown): Read<number> {
  const expected = 'must be a duration such as "15s" or "500ms" (a bare number means seconds)';
  if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? ok(raw * 1000) : bad(expected);
  if (typeof raw !== 'string') return bad(expected);
  const text = raw.trim();
  if (/^\d+$/.test(text)) return ok(Number(text) * 1000);
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const match = part.exec(text);
    if (!match) return bad(expected);
    total += Number(match[1]) * (DURATION_UNIT_MS[match[2] as string] as number);
    at = part.lastIndex;
  }
  return text === '' ? bad(expected) : ok(Math.round(total));
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 };

/** A size in bytes: a whole number, or a number with a unit such as `4MiB` or `2MB`. */
export function readSize(raw: unknown): Read<number> {
  const expected = 'must be a size in bytes, such as 4194304 or "4MiB"';
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw > 0 ? ok(raw) : bad(expected);
  if (typeof raw !== 'string') return bad(expected);
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw.trim());
  const unit = SIZE_UNITS[(match?.[2] || 'b').toLowerCase()];
  if (!match || unit === undefined) return bad(expected);
  const bytes = Math.floor(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes > 0 ? ok(bytes) : bad(expected);
}

/**
 * Comma-separated etcd endpoints, as Vault's `address` and ETCD_ADDR take them. A bare `host:port`
 * means http; a missing port means etcd's 2379. All must share one scheme (one TLS setting).
 */
export function readEndpoints(raw: unknown): Read<string[]> {
  const text = readString(raw);
  if (!text.ok) return text;
  const endpoints: string[] = [];
  for (const item of text.value.split(',').map((s) => s.trim()).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(item.includes('://') ? item : `http://${item}`);
    } catch {
      return bad('must list http:// or https:// URLs, separated by commas');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return bad('must list http:// or https:// URLs');
    if (url.username || url.password) return bad('must not carry credentials; use "username" and "password"');
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
      return bad('must list bare URLs (scheme, host and port only)');
    }
    endpoints.push(`${url.protocol}//${url.hostname}:${url.port || '2379'}`);
  }
  if (endpoints.length === 0) return bad('must list at least one etcd endpoint');
  const schemes = new Set(endpoints.map((e) => e.slice(0, e.indexOf(':'))));
  if (schemes.size > 1) return bad('must use one scheme for every endpoint (all http:// or all https://)');
  return ok(endpoints);
}
