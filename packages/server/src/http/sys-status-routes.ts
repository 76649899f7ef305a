import { CofferError } from '@coffer/sdk';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Core, InitRequest } from '../core/core.js';
import { decodeShare } from '../core/seal/share-collector.js';
import { parseBody } from './request-input.js';

/** What the status endpoints report about this build and node. */
export interface NodeInfo {
  version: string;
  buildDate: string;
  storageType: string;
}

/**
 * The raw sys endpoints: bare JSON (no envelope), unauthenticated, served sealed or not:
 * init, unseal, seal-status, health, leader.
 */
export function registerSysStatusRoutes(app: FastifyInstance, core: Core, info: NodeInfo): void {
  const raw = (reply: FastifyReply, status: number, body: unknown) =>
    reply.code(status).header('cache-control', 'no-store').type('application/json').send(body);

  const sealStatus = async () => {
    const s = await core.status();
    const cluster = core.cluster();
    return {
      type: s.type,
      initialized: s.initialized,
      sealed: s.sealed,
      t: s.t,
      n: s.n,
      progress: s.progress,
      nonce: s.nonce,
      version: info.version,
      build_date: info.buildDate,
      migration: s.migration,
      recovery_seal: s.recoverySeal,
      ...(s.recoverySeal ? { recovery_seal_type: 'shamir' } : {}),
      storage_type: info.storageType,
      ...(cluster ? { cluster_name: cluster.name, cluster_id: cluster.id } : {}),
    };
  };

  const local = { config: { local: true } };
  app.get('/v1/sys/seal-status', local, async (_request, reply) => raw(reply, 200, await sealStatus()));

  app.get('/v1/sys/init', local, async (_request, reply) => raw(reply, 200, { initialized: await core.initialized() }));

  app.route({
    method: ['PUT', 'POST'],
    url: '/v1/sys/init',
    ...local,
    handler: async (request, reply) => {
      const body = parseBody(request.body as Buffer | undefined, request.headers['content-type']);
      const sealType = (await core.status()).type;
      const result = await core.initialize(initParameters(body, sealType));
      const hex = (keys: Uint8Array[]) => keys.map((k) => Buffer.from(k).toString('hex'));
      const b64 = (keys: Uint8Array[]) => keys.map((k) => Buffer.from(k).toString('base64'));
      return raw(reply, 200, {
        keys: hex(result.keys),
        keys_base64: b64(result.keys),
        ...(result.recoveryKeys.length
          ? { recovery_keys: hex(result.recoveryKeys), recovery_keys_base64: b64(result.recoveryKeys) }
          : {}),
        root_token: result.rootToken,
      });
    },
  });

  app.route({
    method: ['PUT', 'POST'],
    url: '/v1/sys/unseal',
    ...local,
    handler: async (request, reply) => {
      const body = parseBody(request.body as Buffer | undefined, request.headers['content-type']);
      if (body.reset === true || body.reset === 'true') {
        core.resetUnseal();
        return raw(reply, 200, await sealStatus());
      }
      if (typeof body.key !== 'string' || body.key === '') {
        throw new CofferError('invalid_request', "'key' must be specified in request body as JSON, or 'reset' set to true");
      }
      await core.submitUnsealKey(decodeShare(body.key), { migrate: body.migrate === true || body.migrate === 'true' });
      return raw(reply, 200, await sealStatus());
    },
  });

  // Without HA, Vault answers this before checking the seal, so a sealed single node still says ha_enabled=false.
  app.get('/v1/sys/leader', local, async (_request, reply) => {
    const ha = core.haState();
    if (ha.enabled && core.sealed) throw new CofferError('sealed', 'Vault is sealed');
    const isSelf = core.role === 'active';
    return raw(reply, 200, {
      ha_enabled: ha.enabled,
      is_self: ha.enabled && isSelf,
      active_time: isSelf && ha.activeSince ? ha.activeSince.toISOString() : '0001-01-01T00:00:00Z',
      leader_address: ha.leader?.apiAddr ?? '',
      leader_cluster_address: ha.leader?.clusterAddr ?? '',
      performance_standby: false,
      performance_standby_last_remote_wal: 0,
    });
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/v1/sys/health',
    ...local,
    handler: async (request, reply) => {
      const query = new URLSearchParams(request.originalUrl.split('?')[1] ?? '');
      // Every parameter is validated, including those a single node never uses, as Vault does.
      const codes = {
        active: statusParam(query, 'activecode', 200),
        standby: statusParam(query, 'standbycode', 429),
        drSecondary: statusParam(query, 'drsecondarycode', 472),
        performanceStandby: statusParam(query, 'performancestandbycode', 473),
        haUnhealthy: statusParam(query, 'haunhealthycode', 474),
        removed: statusParam(query, 'removedcode', 530),
        sealed: statusParam(query, 'sealedcode', 503),
        uninit: statusParam(query, 'uninitcode', 501),
      };
      const standbyOk = boolParam(query, 'standbyok');
      boolParam(query, 'perfstandbyok');
      const initialized = await core.initialized();
      const sealed = core.sealed;
      const standby = !sealed && core.role === 'standby';
      // Precedence as Vault's: uninitialised, then sealed, then standby (unless standbyok), then active.
      const status = !initialized ? codes.uninit : sealed ? codes.sealed : standby && !standbyOk ? codes.standby : codes.active;
      const cluster = core.cluster();
      const body = {
        initialized,
        sealed,
        standby,
        performance_standby: false,
        replication_performance_mode: 'disabled',
        replication_dr_mode: 'disabled',
        server_time_utc: Math.floor(Date.now() / 1000),
        version: info.version,
        enterprise: false,
        ...(cluster ? { cluster_name: cluster.name, cluster_id: cluster.id } : {}),
        echo_duration_ms: 0,
        clock_skew_ms: 0,
        replication_primary_canary_age_ms: 0,
      };
      if (request.method === 'HEAD' || status === 204) return reply.code(status).header('cache-control', 'no-store').send();
      return raw(reply, status, body);
    },
  });
}

/**
 * Vault's init parameters: unseal shares for Shamir, recovery shares for an auto seal, each refused
 * (with Vault's exact message) where it does not apply.
 */
function initParameters(body: Record<string, unknown>, sealType: string): InitRequest {
  for (const key of ['pgp_keys', 'root_token_pgp_key', 'recovery_pgp_keys'] as const) {
    if (given(body[key]) && !(sealType !== 'shamir' && key === 'pgp_keys')) {
      throw new CofferError('invalid_request', `${key} is not supported yet`);
    }
  }
  if (sealType === 'shamir') {
    if (['recovery_shares', 'recovery_threshold', 'recovery_pgp_keys'].some((k) => given(body[k]))) {
      throw new CofferError('invalid_request', 'parameters recovery_shares,recovery_threshold,recovery_pgp_keys not applicable to seal type shamir');
    }
    const [shares, threshold] = quorum(body, 'secret_shares', 'secret_threshold');
    return { secretShares: shares, secretThreshold: threshold, recoveryShares: 0, recoveryThreshold: 0 };
  }
  if (['secret_shares', 'secret_threshold', 'pgp_keys'].some((k) => given(body[k]))) {
    throw new CofferError('invalid_request', `parameters secret_shares,secret_threshold,pgp_keys not applicable to seal type ${sealType}`);
  }
  // Vault's CLI defaults: 5 recovery shares, threshold 3.
  const withDefaults = { recovery_shares: 5, recovery_threshold: 3, ...stripAbsent(body) };
  const [shares, threshold] = quorum(withDefaults, 'recovery_shares', 'recovery_threshold');
  return { secretShares: 0, secretThreshold: 0, recoveryShares: shares, recoveryThreshold: threshold };
}

function quorum(body: Record<string, unknown>, sharesKey: string, thresholdKey: string): [number, number] {
  const shares = integer(body[sharesKey], sharesKey);
  const threshold = integer(body[thresholdKey], thresholdKey);
  if (shares < 1 || shares > 255) throw new CofferError('invalid_request', `${sharesKey} must be between 1 and 255`);
  if (threshold < 1 || threshold > shares) {
    throw new CofferError('invalid_request', `${thresholdKey} must be between 1 and ${sharesKey}`);
  }
  if (threshold === 1 && shares > 1) {
    throw new CofferError('invalid_request', `${thresholdKey} must be greater than one for multiple shares`);
  }
  return [shares, threshold];
}

/** Present and meaningful: not null, empty, zero or an empty list (clients send those as "unset"). */
function given(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && value !== 0 && !(Array.isArray(value) && value.length === 0);
}

function stripAbsent(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => given(v)));
}

function integer(value: unknown, name: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new CofferError('invalid_request', `${name} must be an integer`);
  }
  return n;
}

function statusParam(query: URLSearchParams, name: string, fallback: number): number {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 100 || Number(value) > 599) {
    throw new CofferError('invalid_request', `invalid ${name} value "${value}": must be an HTTP status code`);
  }
  return Number(value);
}

const BOOLEANS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False', '']);

function boolParam(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value !== null && !BOOLEANS.has(value)) {
    throw new CofferError('invalid_request', `invalid ${name} value "${value}": must be a boolean`);
  }
  // Vault treats a bare `?standbyok` as true.
  return value !== null && ['', '1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);
}
