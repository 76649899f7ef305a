import { ResponseError } from '../api-error.js';
import type { ApiClient } from '../client.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { columns } from '../output.js';
import { isRecord } from '../secret.js';
import { api, rethrow } from './shared.js';

/** sys/seal-status plus the HA fields of sys/leader, in the order `vault status -format=json` prints. */
export type SealStatus = Record<string, unknown> & { sealed?: boolean };

/** Reads sys/seal-status; `what` prefixes the error message. */
export async function readSealStatus(client: ApiClient, what: string): Promise<SealStatus> {
  const response = await api(what, () => client.send('GET', 'sys/seal-status'));
  return isRecord(response.body) ? response.body : {};
}

/**
 * Adds sys/leader's answer. As Vault's CLI does, a "sealed" error from sys/leader is read as
 * "HA enabled but unknown until unsealed".
 */
export async function withLeader(client: ApiClient, status: SealStatus): Promise<SealStatus> {
  let leader: Record<string, unknown>;
  try {
    const response = await client.send('GET', 'sys/leader');
    leader = isRecord(response.body) ? response.body : {};
  } catch (error) {
    if (error instanceof ResponseError && error.errors.some((e) => e.includes('Vault is sealed'))) leader = { ha_enabled: true };
    else rethrow('Error checking leader status', error);
  }
  const shaped: SealStatus = {
    type: status.type ?? '',
    initialized: status.initialized ?? false,
    sealed: status.sealed ?? false,
    t: status.t ?? 0,
    n: status.n ?? 0,
    progress: status.progress ?? 0,
    nonce: status.nonce ?? '',
    version: status.version ?? '',
    build_date: status.build_date ?? '',
    migration: status.migration ?? false,
    cluster_name: status.cluster_name ?? '',
    cluster_id: status.cluster_id ?? '',
    recovery_seal: status.recovery_seal ?? false,
    storage_type: status.storage_type ?? '',
    ha_enabled: leader.ha_enabled === true,
  };
  if (leader.is_self === true) shaped.is_self = true;
  if (typeof leader.active_time === 'string' && !leader.active_time.startsWith('0001-')) shaped.active_time = leader.active_time;
  for (const key of ['leader_address', 'leader_cluster_address'] as const) {
    if (typeof leader[key] === 'string' && leader[key] !== '') shaped[key] = leader[key];
  }
  return shaped;
}

/** `vault status`'s Key/Value table, rows as Vault chooses them (progress only while sealed...). */
export function sealStatusTable(s: SealStatus): string {
  const rows: string[][] = [['Key', 'Value'], ['---', '-----'], ['Seal Type', String(s.type)]];
  const recovery = s.recovery_seal === true;
  if (recovery) rows.push(['Recovery Seal Type', String(s.recovery_seal_type ?? '')]);
  rows.push(['Initialized', String(s.initialized)], ['Sealed', String(s.sealed)]);
  rows.push([`Total ${recovery ? 'Recovery ' : ''}Shares`, String(s.n)], ['Threshold', String(s.t)]);
  if (s.sealed) rows.push(['Unseal Progress', `${String(s.progress)}/${String(s.t)}`], ['Unseal Nonce', String(s.nonce)]);
  if (s.migration === true) rows.push(['Seal Migration in Progress', 'true']);
  if (s.version) rows.push(['Version', String(s.version)]);
  if (s.build_date) rows.push(['Build Date', String(s.build_date)]);
  if (s.storage_type) rows.push(['Storage Type', String(s.storage_type)]);
  if (s.cluster_name && s.cluster_id) rows.push(['Cluster Name', String(s.cluster_name)], ['Cluster ID', String(s.cluster_id)]);
  rows.push(['HA Enabled', String(s.ha_enabled)]);
  if (s.ha_enabled === true && !s.sealed) {
    rows.push(['HA Cluster', String(s.leader_cluster_address ?? '')]);
    rows.push(['HA Mode', s.is_self === true ? 'active' : 'standby']);
    if (s.is_self === true && s.active_time) rows.push(['Active Since', String(s.active_time)]);
    if (s.is_self !== true && s.leader_address) rows.push(['Active Node Address', String(s.leader_address)]);
  }
  return columns(rows);
}

/** Prints a seal status (with leader info) in the chosen format; exit 0 (callers decide on sealed). */
export async function printSealStatus(ctx: Context, client: ApiClient, status: SealStatus): Promise<number> {
  const full = await withLeader(client, status);
  ctx.out(ctx.format === 'json' ? JSON.stringify(full, null, 2) : sealStatusTable(full));
  return EXIT.ok;
}
