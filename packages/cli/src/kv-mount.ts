import { posix } from 'node:path';
import { ResponseError } from './api-error.js';
import type { ApiClient } from './client.js';
import { isRecord } from './secret.js';

/** Where a `kv` command's path lives: the mount, its KV version, and how the path was given. */
export interface KvTarget {
  /** e.g. `secret/`; empty when the server does not know the preflight endpoint (KV v1 then). */
  mountPath: string;
  v2: boolean;
  /** The path as given (`secret/foo`), or mount + path with `-mount` on v2. */
  partialPath: string;
  /** `-mount=secret foo` rather than `secret/foo`. */
  mountFlag: boolean;
}

/**
 * The preflight Vault's CLI makes before every kv command: `sys/internal/ui/mounts/<path>` names
 * the mount and its options. A 404 means a server without the endpoint, taken as KV v1.
 */
export async function preflight(client: ApiClient, path: string): Promise<{ mountPath: string; v2: boolean }> {
  let body: unknown;
  try {
    body = (await client.send('GET', `sys/internal/ui/mounts/${path}`)).body;
  } catch (error) {
    if (error instanceof ResponseError && error.status === 404) return { mountPath: '', v2: false };
    throw error;
  }
  const data = isRecord(body) && isRecord(body.data) ? body.data : undefined;
  if (!data) throw new Error('nil response from pre-flight request');
  const mountPath = typeof data.path === 'string' ? data.path : '';
  const options = isRecord(data.options) ? data.options : undefined;
  return { mountPath, v2: options?.version === '2' };
}

/** Resolves `secret/foo` or (`-mount=secret`, `foo`) to its mount and version. */
export async function resolveKvTarget(client: ApiClient, path: string, mount: string | undefined): Promise<KvTarget> {
  if (mount !== undefined && mount !== '') {
    const { mountPath, v2 } = await preflight(client, mount);
    return { mountPath, v2, partialPath: v2 ? posix.join(mountPath, path) : path, mountFlag: true };
  }
  const { mountPath, v2 } = await preflight(client, path);
  return { mountPath, v2, partialPath: path, mountFlag: false };
}

/**
 * The API path for a kv operation: on v2, `<mount>/<prefix>/<rest>` (`secret/data/foo`); on v1
 * the path itself (joined to `-mount` when given).
 */
export function kvApiPath(target: KvTarget, prefix: 'data' | 'metadata' | 'delete' | 'undelete' | 'destroy'): string {
  if (!target.v2) return target.mountFlag ? posix.join(target.mountPath, target.partialPath) : target.partialPath;
  const { partialPath: path, mountPath } = target;
  if (path === mountPath || path === mountPath.replace(/\/$/, '')) return posix.join(mountPath, prefix);
  const rest = path.startsWith(mountPath) ? path.slice(mountPath.length) : path;
  return posix.join(mountPath, prefix, rest);
}
