import { cellValue, goQuotedList, humanDuration, wrapAtLength } from './go-format.js';
import { isRecord, type Secret } from './secret.js';

export type OutputFormat = 'table' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json'];

/**
 * Columns as ryanuber/columnize lays them out for Vault: cells trimmed, empty cells shown as
 * `n/a`, every column but the last padded to its widest cell, four spaces between columns.
 */
export function columns(rows: readonly (readonly string[])[]): string {
  const cells = rows.map((row) => row.map((cell) => cell.trim() || 'n/a'));
  const widths: number[] = [];
  for (const row of cells) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return cells
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0) + '    ')).join(''))
    .join('\n');
}

/** A table whose first row is the header, underlined with dashes as Vault does. */
export function table(rows: readonly (readonly string[])[]): string {
  const [header, ...body] = rows;
  if (!header) return '';
  return columns([header, header.map((h) => '-'.repeat(h.trim().length)), ...body]);
}

/** Vault's Key/Value table of a map, keys sorted, durations humanised. */
export function mapTable(data: Record<string, unknown>): string {
  const keys = Object.keys(data).sort();
  if (keys.length === 0) return '';
  return table([['Key', 'Value'], ...keys.map((k) => [k, cellValue(k, data[k])])]);
}

/** Vault's `Keys` table of a list response, sorted. */
export function listTable(keys: readonly string[]): string {
  if (keys.length === 0) return '';
  return table([['Keys'], ...[...keys].sort().map((k) => [k])]);
}

/** "WARNING! ..." block Vault prints (to stderr) before a table. */
export function warningsText(secret: Secret | undefined): string {
  const warnings = secret?.warnings ?? [];
  if (warnings.length === 0) return '';
  const lines = ['WARNING! The following warnings were returned from Coffer:', ''];
  for (const warning of warnings) lines.push(wrapAtLength(`* ${warning}`, 2), '');
  return lines.join('\n');
}

/**
 * The table of a whole response as `vault read` prints it: lease or refresh interval, the auth
 * block (token, accessor, policies...), then the data keys. `showToken: false` leaves the token
 * out; only commands whose purpose is to hand out a token show it.
 */
export function secretTable(secret: Secret, options: { showToken: boolean }): string {
  const rows: string[][] = [];
  const leaseDuration = secret.lease_duration ?? 0;
  if (leaseDuration > 0) {
    if (secret.lease_id) {
      rows.push(['lease_id', secret.lease_id]);
      rows.push(['lease_duration', humanDuration(leaseDuration)]);
      rows.push(['lease_renewable', String(secret.renewable ?? false)]);
    } else {
      rows.push(['refresh_interval', humanDuration(leaseDuration)]);
    }
  }
  const wrap = secret.wrap_info;
  if (isRecord(wrap)) {
    // Vault's table for a wrapped response: only the wrapping token's facts.
    rows.push(['wrapping_token:', String(wrap.token)]);
    rows.push(['wrapping_accessor:', String(wrap.accessor)]);
    rows.push(['wrapping_token_ttl:', humanDuration(Number(wrap.ttl))]);
    rows.push(['wrapping_token_creation_time:', String(wrap.creation_time)]);
    rows.push(['wrapping_token_creation_path:', String(wrap.creation_path)]);
    if (wrap.wrapped_accessor) rows.push(['wrapped_accessor:', String(wrap.wrapped_accessor)]);
    return table([['Key', 'Value'], ...rows]);
  }
  const auth = secret.auth;
  if (auth) {
    if (options.showToken) rows.push(['token', auth.client_token]);
    rows.push(['token_accessor', auth.accessor]);
    rows.push(['token_duration', auth.lease_duration === 0 ? '∞' : humanDuration(auth.lease_duration)]);
    rows.push(['token_renewable', String(auth.renewable)]);
    rows.push(['token_policies', goQuotedList(auth.token_policies)]);
    rows.push(['identity_policies', goQuotedList(auth.identity_policies)]);
    rows.push(['policies', goQuotedList(auth.policies)]);
    for (const [key, value] of Object.entries(auth.metadata ?? {})) rows.push([`token_meta_${key}`, value]);
  }
  if (isRecord(secret.data)) {
    for (const key of Object.keys(secret.data).sort()) rows.push([key, cellValue(key, secret.data[key])]);
  }
  if (rows.length === 0) return '';
  return table([['Key', 'Value'], ...rows]);
}

/** Go's json.MarshalIndent: two spaces, map keys sorted at every level. */
export function toJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  }
  return value;
}

/**
 * A response as `vault ... -format=json` prints it: api.Secret re-encoded, so the field order is
 * Go's struct order and `auth`/`wrap_info` appear only when present.
 */
export function secretJson(secret: Secret, options: { showToken: boolean }): string {
  const auth = secret.auth;
  const shaped: Record<string, unknown> = {
    request_id: secret.request_id ?? '',
    lease_id: secret.lease_id ?? '',
    lease_duration: secret.lease_duration ?? 0,
    renewable: secret.renewable ?? false,
    data: secret.data === undefined ? null : sortKeys(secret.data),
    warnings: secret.warnings ?? null,
    ...(auth
      ? {
          auth: {
            client_token: options.showToken ? auth.client_token : '',
            accessor: auth.accessor,
            policies: auth.policies ?? null,
            token_policies: auth.token_policies ?? null,
            identity_policies: auth.identity_policies ?? null,
            metadata: auth.metadata ?? null,
            orphan: auth.orphan ?? false,
            entity_id: auth.entity_id ?? '',
            lease_duration: auth.lease_duration,
            renewable: auth.renewable,
            mfa_requirement: auth.mfa_requirement ?? null,
          },
        }
      : {}),
    ...(secret.wrap_info ? { wrap_info: secret.wrap_info } : {}),
    ...(secret.mount_type ? { mount_type: secret.mount_type } : {}),
  };
  return JSON.stringify(shaped, null, 2);
}

/** `==== Title ====` sized to a map's widest key, as kv get prints above each table. */
export function headerForMap(title: string, data: Record<string, unknown>): string {
  const widest = Math.max(0, ...Object.keys(data).map((k) => k.length));
  return padEqualSigns(title, widest + 4 + 5);
}

/** `== Secret Path ==` above the path, sized to it. */
export function pathHeader(title: string, path: string): string {
  return `${padEqualSigns(title, path.length)}\n${path}\n`;
}

function padEqualSigns(title: string, total: number): string {
  let signs = total - (title.length + 2);
  if (signs <= 0) signs = 4;
  if (signs % 2 !== 0) signs += 1;
  const side = '='.repeat(signs / 2);
  return `${side} ${title} ${side}`;
}
