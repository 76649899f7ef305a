import { formatDuration } from '@coffer/sdk';
import type { MountEntry } from '../../core/mount-table.js';

/** A mount table entry as Vault shows it in sys/mounts and sys/auth. */
export function mountJson(entry: MountEntry): Record<string, unknown> {
  return {
    accessor: entry.accessor,
    config: {
      default_lease_ttl: entry.config.default_lease_ttl,
      max_lease_ttl: entry.config.max_lease_ttl,
      force_no_cache: entry.config.force_no_cache,
      ...optionalConfig(entry),
    },
    description: entry.description,
    external_entropy_access: entry.external_entropy_access,
    local: entry.local,
    options: Object.keys(entry.options).length ? entry.options : null,
    plugin_version: '',
    running_plugin_version: `v0.1.0+builtin.coffer`,
    running_sha256: '',
    seal_wrap: entry.seal_wrap,
    type: entry.type,
    uuid: entry.uuid,
  };
}

/** sys/mounts/:path/tune: durations as seconds, with Vault's extra fields. */
export function tuneJson(entry: MountEntry, effective: { defaultLeaseTtl: number; maxLeaseTtl: number }) {
  return {
    description: entry.description,
    default_lease_ttl: effective.defaultLeaseTtl,
    max_lease_ttl: effective.maxLeaseTtl,
    force_no_cache: entry.config.force_no_cache,
    ...(Object.keys(entry.options).length ? { options: entry.options } : {}),
    ...optionalConfig(entry),
  };
}

export const durationText = formatDuration;

function optionalConfig(entry: MountEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of [
    'audit_non_hmac_request_keys',
    'audit_non_hmac_response_keys',
    'listing_visibility',
    'passthrough_request_headers',
    'allowed_response_headers',
  ] as const) {
    const value = entry.config[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
