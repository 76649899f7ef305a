import { CofferError, definePath, isPlainObject, parseDurationSeconds, type PathDef } from '@coffer/sdk';
import type { MountRequest } from '../../core/mount-manager.js';
import type { MountConfig, MountTableName } from '../../core/mount-table.js';
import type { RuntimeHandles } from '../../core/runtime.js';
import { mountJson, tuneJson } from './mount-json.js';

const mountFields = {
  path: { type: 'string', required: true },
  type: { type: 'string' },
  description: { type: 'string' },
  config: { type: 'map' },
  options: { type: 'string-map' },
  local: { type: 'bool' },
  seal_wrap: { type: 'bool' },
  plugin_name: { type: 'string' },
} as const;

const tuneFields = {
  path: { type: 'string', required: true },
  default_lease_ttl: { type: 'any' },
  max_lease_ttl: { type: 'any' },
  description: { type: 'string' },
  force_no_cache: { type: 'bool' },
  audit_non_hmac_request_keys: { type: 'strings' },
  audit_non_hmac_response_keys: { type: 'strings' },
  listing_visibility: { type: 'string' },
  passthrough_request_headers: { type: 'strings' },
  allowed_response_headers: { type: 'strings' },
  options: { type: 'string-map' },
} as const;

/** sys/mounts and sys/auth: list, enable, disable, read, tune. Same shape for both tables. */
export function mountTablePaths(handles: RuntimeHandles, table: MountTableName, base: 'mounts' | 'auth'): PathDef[] {
  const kind = table === 'auth' ? 'auth method' : 'secrets engine';
  // Vault also tunes auth methods through sys/mounts/auth/<path>/tune (its CLI does).
  const locate = (path: string): { table: MountTableName; path: string } =>
    table === 'mounts' && path.startsWith('auth/') ? { table: 'auth', path: path.slice('auth/'.length) } : { table, path };
  const find = (raw: string) => {
    const { table: where, path } = locate(raw);
    const entry = handles.mounts.find(where, path);
    if (!entry) throw new CofferError('invalid_request', `no ${where === 'auth' ? 'auth method' : kind} mounted at "${path}"`);
    return entry;
  };
  return [
    definePath({
      pattern: base,
      summary: `List the mounted ${kind}s.`,
      operations: {
        read: async () => ({
          data: Object.fromEntries(handles.mounts.list(table).map((e) => [e.path, mountJson(e)])),
        }),
      },
    }),
    definePath({
      pattern: `${base}/(?<path>.+)/tune`,
      fields: tuneFields,
      summary: `Read or change the TTLs and options of a ${kind}.`,
      operations: {
        read: async (req) => {
          const entry = find(req.fields.path as string);
          return { data: tuneJson(entry, handles.mounts.leaseTtls(entry)) };
        },
        update: async (req) => {
          const f = req.fields;
          const update: Partial<MountConfig> & { description?: string } = {};
          if (f.default_lease_ttl !== undefined) update.default_lease_ttl = ttlField(f.default_lease_ttl, 'default_lease_ttl');
          if (f.max_lease_ttl !== undefined) update.max_lease_ttl = ttlField(f.max_lease_ttl, 'max_lease_ttl');
          if (f.description !== undefined) update.description = f.description;
          if (f.force_no_cache !== undefined) update.force_no_cache = f.force_no_cache;
          for (const key of [
            'audit_non_hmac_request_keys',
            'audit_non_hmac_response_keys',
            'passthrough_request_headers',
            'allowed_response_headers',
          ] as const) {
            const value = f[key];
            if (value !== undefined) update[key] = value;
          }
          if (f.listing_visibility !== undefined) update.listing_visibility = f.listing_visibility;
          const entry = find(f.path as string);
          if (f.options?.version !== undefined && f.options.version !== (entry.options.version ?? '1')) {
            throw new CofferError('invalid_request', 'changing the KV version of a mount is not supported');
          }
          await handles.mounts.tune(locate(f.path as string).table, entry.path, update);
          return undefined;
        },
      },
    }),
    definePath({
      pattern: `${base}/(?<path>.+)`,
      fields: mountFields,
      summary: `Enable, read or disable a ${kind}.`,
      operations: {
        read: async (req) => ({ data: mountJson(find(req.fields.path as string)) }),
        update: async (req) => {
          await handles.mounts.mount(table, req.fields.path as string, mountRequest(req.fields));
          return undefined;
        },
        delete: async (req) => {
          await handles.mounts.unmount(table, req.fields.path as string);
          return undefined;
        },
      },
    }),
  ];
}

function mountRequest(f: {
  type?: string;
  description?: string;
  config?: Record<string, unknown>;
  options?: Record<string, string>;
  local?: boolean;
  seal_wrap?: boolean;
}): MountRequest {
  if (!f.type) throw new CofferError('invalid_request', 'missing required field "type"');
  let type = f.type;
  let options = f.options ?? {};
  // Vault's shorthand: "kv-v2" is kv with version 2.
  if (type === 'kv-v2') {
    type = 'kv';
    options = { ...options, version: '2' };
  }
  if (type === 'kv' && options.version !== undefined && !['1', '2'].includes(options.version)) {
    throw new CofferError('invalid_request', 'kv "version" option must be "1" or "2"');
  }
  const config: Partial<MountConfig> = {};
  if (f.config !== undefined) {
    if (!isPlainObject(f.config)) throw new CofferError('invalid_request', 'field "config" must be an object');
    if (f.config.default_lease_ttl !== undefined) config.default_lease_ttl = ttlField(f.config.default_lease_ttl, 'default_lease_ttl');
    if (f.config.max_lease_ttl !== undefined) config.max_lease_ttl = ttlField(f.config.max_lease_ttl, 'max_lease_ttl');
    if (f.config.force_no_cache !== undefined) config.force_no_cache = f.config.force_no_cache === true;
  }
  return {
    type,
    options,
    config,
    ...(f.description !== undefined ? { description: f.description } : {}),
    ...(f.local !== undefined ? { local: f.local } : {}),
    ...(f.seal_wrap !== undefined ? { seal_wrap: f.seal_wrap } : {}),
  };
}

/** Tune and mount TTLs accept seconds, durations, and "system" (meaning inherit, stored as 0). */
function ttlField(value: unknown, name: string): number {
  if (value === 'system' || value === '') return 0;
  return parseDurationSeconds(value, name);
}
