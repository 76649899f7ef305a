import { CofferError } from '@coffer/sdk';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Core } from '../core/core.js';
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
      migration: false,
      recovery_seal: false,
      storage_type: info.storageType,
      ...(cluster ? { cluster_name: cluster.name, cluster_id: cluster.id } : {}),
    };
  };

  app.get('/v1/sys/seal-status', async (_request, reply) => raw(reply, 200, await sealStatus()));

  app.get('/v1/sys/init', async (_request, reply) => raw(reply, 200, { initialized: await core.initialized() }));

  app.route({
    method: ['PUT', 'POST'],
    url: '/v1/sys/init',
    handler: async (request, reply) => {
      const body = parseBody(request.body as Buffer | undefined, request.headers['content-type']);
      const { shares, threshold } = initParameters(body);
      const result = await core.initialize(shares, threshold);
      return raw(reply, 200, {
        keys: result.keys.map((k) => Buffer.from(k).toString('hex')),
        keys_base64: result.keys.map((k) => Buffer.from(k).toString('base64')),
        root_token: result.rootToken,
      });
    },
  });

  app.route({
    method: ['PUT', 'POST'],
    url: '/v1/sys/unseal',
    handler: async (request, reply) => {
      const body = parseBody(request.body as Buffer | undefined, request.headers['content-type']);
      if (body.reset === true || body.reset === 'true') {
        core.resetUnseal();
        return raw(reply, 200, await sealStatus());
      }
      if (body.migrate === true) throw new CofferError('invalid_request', 'seal migration is not in progress');
      if (typeof body.key !== 'string' || body.key === '') {
        throw new CofferError('invalid_request', "'key' must be specified in request body as JSON, or 'reset' set to true");
      }
      await core.submitUnsealKey(decodeKey(body.key));
      return raw(reply, 200, await sealStatus());
    },
  });

  // Without HA, Vault answers this before checking the seal, so a sealed single node still says ha_enabled=false.
  app.get('/v1/sys/leader', async (_request, reply) => {
    return raw(reply, 200, {
      ha_enabled: false,
      is_self: false,
      active_time: '0001-01-01T00:00:00Z',
      leader_address: '',
      leader_cluster_address: '',
      performance_standby: false,
      performance_standby_last_remote_wal: 0,
    });
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/v1/sys/health',
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
      for (const name of ['standbyok', 'perfstandbyok']) boolParam(query, name);
      const initialized = await core.initialized();
      const sealed = core.sealed;
      // Precedence as Vault's: uninitialised, then sealed, then (for HA nodes) standby, then active.
      const status = !initialized ? codes.uninit : sealed ? codes.sealed : codes.active;
      const cluster = core.cluster();
      const body = {
        initialized,
        sealed,
        standby: false,
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

function initParameters(body: Record<string, unknown>): { shares: number; threshold: number } {
  for (const key of ['pgp_keys', 'root_token_pgp_key'] as const) {
    const value = body[key];
    if (value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0)) {
      throw new CofferError('invalid_request', `${key} is not supported yet`);
    }
  }
  const recovery = ['recovery_shares', 'recovery_threshold', 'recovery_pgp_keys'].filter((k) => {
    const v = body[k];
    return v !== undefined && v !== null && v !== 0 && !(Array.isArray(v) && v.length === 0);
  });
  if (recovery.length) {
    throw new CofferError('invalid_request', `parameters ${recovery.join(',')} not applicable to seal type shamir`);
  }
  const shares = integer(body.secret_shares, 'secret_shares');
  const threshold = integer(body.secret_threshold, 'secret_threshold');
  if (shares < 1 || shares > 255) throw new CofferError('invalid_request', 'secret_shares must be between 1 and 255');
  if (threshold < 1 || threshold > shares) {
    throw new CofferError('invalid_request', 'secret_threshold must be between 1 and secret_shares');
  }
  if (threshold === 1 && shares > 1) {
    throw new CofferError('invalid_request', 'secret_threshold must be greater than one for multiple shares');
  }
  return { shares, threshold };
}

function integer(value: unknown, name: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new CofferError('invalid_request', `${name} must be an integer`);
  }
  return n;
}

/** Unseal keys come as hex (Vault's `keys`) or base64 (`keys_base64`). */
function decodeKey(key: string): Uint8Array {
  const text = key.trim();
  if (/^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 === 0) return Buffer.from(text, 'base64');
  throw new CofferError('invalid_request', "'key' must be a valid hex or base64 string");
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

function boolParam(query: URLSearchParams, name: string): void {
  const value = query.get(name);
  if (value !== null && !BOOLEANS.has(value)) {
    throw new CofferError('invalid_request', `invalid ${name} value "${value}": must be a boolean`);
  }
}
