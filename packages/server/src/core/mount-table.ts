import { CofferError, type Storage } from '@coffer/sdk';

/**
 * The mount tables: secrets engines (`core/mounts`) and auth methods (`core/auth`), stored behind
 * the barrier as one JSON document each, as Vault does. An entry's data lives under
 * `logical/<uuid>/` (secrets) or `auth/<uuid>/` (auth methods), so remounting never moves data and
 * one mount can never read another's.
 */
export type MountTableName = 'mounts' | 'auth';

export interface MountConfig {
  /** Seconds; 0 means "inherit the system value". */
  default_lease_ttl: number;
  max_lease_ttl: number;
  force_no_cache: boolean;
  audit_non_hmac_request_keys?: string[];
  audit_non_hmac_response_keys?: string[];
  listing_visibility?: string;
  passthrough_request_headers?: string[];
  allowed_response_headers?: string[];
}

export interface MountEntry {
  /** With trailing slash, relative to the table: `secret/`, or `token/` in the auth table. */
  path: string;
  type: string;
  description: string;
  uuid: string;
  accessor: string;
  config: MountConfig;
  options: Record<string, string>;
  local: boolean;
  seal_wrap: boolean;
  external_entropy_access: boolean;
}

const TABLE_PATHS: Record<MountTableName, string> = { mounts: 'core/mounts', auth: 'core/auth' };

export function storagePrefix(table: MountTableName, entry: MountEntry): string {
  return `${table === 'mounts' ? 'logical' : 'auth'}/${entry.uuid}/`;
}

export async function loadMountTable(storage: Storage, table: MountTableName): Promise<MountEntry[] | undefined> {
  const raw = await storage.get(TABLE_PATHS[table]);
  if (!raw) return undefined;
  return (JSON.parse(Buffer.from(raw).toString('utf8')) as { entries: MountEntry[] }).entries;
}

export async function saveMountTable(storage: Storage, table: MountTableName, entries: MountEntry[]): Promise<void> {
  await storage.put(TABLE_PATHS[table], Buffer.from(JSON.stringify({ entries }), 'utf8'));
}

/** Normalises a user-given mount path to `a/b/` and refuses what Vault refuses. */
export function normaliseMountPath(raw: string): string {
  let path = raw.trim().replace(/^\/+/, '');
  if (!path.endsWith('/')) path += '/';
  const segments = path.slice(0, -1).split('/');
  if (path === '/' || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new CofferError('invalid_request', `invalid mount path "${raw}"`);
  }
  if (!/^[\p{L}\p{N}_.\-/]+$/u.test(path)) {
    throw new CofferError('invalid_request', `mount path "${raw}" may contain only letters, digits, "_", "-", "." and "/"`);
  }
  return path;
}

/** Vault refuses a mount inside or around another one. */
export function assertNoConflict(entries: readonly MountEntry[], path: string, label = ''): void {
  for (const entry of entries) {
    if (path.startsWith(entry.path) || entry.path.startsWith(path)) {
      throw new CofferError('invalid_request', `path is already in use at ${label}${entry.path}`);
    }
  }
}
