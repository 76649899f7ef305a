import type { Logger } from '@coffer/sdk';
import { describeError } from '../client/error-kinds.js';
import { VaultResponseError, type VaultClient } from '../client/vault-client.js';

export interface KvMount {
  mountPath: string;
  isV2: boolean;
}

/**
 * consul-template's KV version probe: `GET sys/internal/ui/mounts/<path>` gives the mount (`path`),
 * its `type` and `options.version`. A 404 means an old server: KV v1. Any other failure is logged
 * and taken as "not KV v2", as consul-template does.
 */
export async function probeKvMount(client: VaultClient, token: string, rawPath: string, logger: Logger): Promise<KvMount> {
  try {
    const body = (await client.request({ method: 'GET', path: `sys/internal/ui/mounts/${rawPath}`, token })) as
      | { data?: { path?: unknown; type?: unknown; options?: { version?: unknown } | null } }
      | undefined;
    const data = body?.data;
    const mountPath = typeof data?.path === 'string' ? data.path : '';
    const version = data?.options?.version;
    return { mountPath, isV2: data?.type === 'kv' && version === '2' };
  } catch (error) {
    if (error instanceof VaultResponseError && error.status === 404) return { mountPath: '', isV2: false };
    logger.warn({ path: rawPath, error: describeError(error) }, 'could not tell whether the path is KV v2; assuming it is not');
    return { mountPath: '', isV2: false };
  }
}

/**
 * Inserts `data/` after the mount (`secret/app` → `secret/data/app`) unless the path already
 * addresses `data/`, `metadata/` or `subkeys/`. The mount itself maps to `<mount>/data`.
 */
export function shimKvV2Path(rawPath: string, mountPath: string, segment: 'data' | 'metadata' = 'data'): string {
  const mount = mountPath.replace(/\/+$/, '');
  if (rawPath === mount || rawPath === `${mount}/`) return `${mount}/${segment}`;
  const rest = rawPath.startsWith(`${mount}/`) ? rawPath.slice(mount.length + 1) : rawPath;
  if (/^(data|metadata|subkeys)\//.test(rest) || (segment === 'metadata' && rest.startsWith('metadata'))) return rawPath;
  return `${mount}/${segment}/${rest}`.replace(/\/+$/, '');
}

/** A KV v2 read whose version was deleted (deletion_time in the past) counts as no secret. */
export function isDeletedKvV2(response: unknown): boolean {
  const metadata = (response as { data?: { metadata?: { deletion_time?: unknown } } } | undefined)?.data?.metadata;
  const when = metadata?.deletion_time;
  if (typeof when !== 'string' || when === '') return false;
  const time = Date.parse(when);
  return Number.isFinite(time) && time < Date.now();
}
