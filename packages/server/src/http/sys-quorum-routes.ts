import { CofferError } from '@coffer/sdk';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Core } from '../core/core.js';
import type { Rekey } from '../core/seal/rekey.js';
import { decodeShare } from '../core/seal/share-collector.js';
import { parseBody } from './request-input.js';

/**
 * sys/generate-root and sys/rekey(-recovery-key): raw JSON like init and unseal, unauthenticated
 * (a quorum of key shares is the authorisation), and only on an unsealed node.
 */
export function registerSysQuorumRoutes(app: FastifyInstance, core: Core): void {
  const raw = (reply: FastifyReply, body: unknown) =>
    reply.code(200).header('cache-control', 'no-store').type('application/json').send(body);
  const unsealed = () => {
    if (core.sealed) throw new CofferError('sealed', 'Vault is sealed');
  };
  const bodyOf = (request: { body: unknown; headers: Record<string, string | string[] | undefined> }) =>
    parseBody(request.body as Buffer | undefined, request.headers['content-type'] as string | undefined);
  const keyAndNonce = (body: Record<string, unknown>) => {
    if (typeof body.key !== 'string' || body.key === '') throw new CofferError('invalid_request', "'key' must be specified in request body as JSON");
    if (typeof body.nonce !== 'string' || body.nonce === '') throw new CofferError('invalid_request', "'nonce' must be specified in request body as JSON");
    return { share: decodeShare(body.key), nonce: body.nonce };
  };

  app.get('/v1/sys/generate-root/attempt', async (_req, reply) => raw(reply, await core.generateRoot.status()));
  app.route({
    method: ['PUT', 'POST'],
    url: '/v1/sys/generate-root/attempt',
    handler: async (request, reply) => {
      unsealed();
      const body = bodyOf(request);
      const otp = typeof body.otp === 'string' && body.otp !== '' ? body.otp : undefined;
      const pgpKey = typeof body.pgp_key === 'string' && body.pgp_key !== '' ? body.pgp_key : undefined;
      return raw(reply, await core.generateRoot.start({ ...(otp ? { otp } : {}), ...(pgpKey ? { pgpKey } : {}) }));
    },
  });
  app.delete('/v1/sys/generate-root/attempt', async (_req, reply) => {
    core.generateRoot.cancel();
    return reply.code(204).header('cache-control', 'no-store').send();
  });
  app.route({
    method: ['PUT', 'POST'],
    url: '/v1/sys/generate-root/update',
    handler: async (request, reply) => {
      unsealed();
      const { share, nonce } = keyAndNonce(bodyOf(request));
      return raw(reply, await core.generateRoot.update(share, nonce));
    },
  });

  const rekeyRoutes = (base: string, rekey: Rekey) => {
    app.get(`${base}/init`, async (_req, reply) => raw(reply, await rekey.status()));
    app.route({
      method: ['PUT', 'POST'],
      url: `${base}/init`,
      handler: async (request, reply) => {
        unsealed();
        const body = bodyOf(request);
        return raw(
          reply,
          await rekey.start({
            shares: Number(body.secret_shares),
            threshold: Number(body.secret_threshold),
            pgpKeys: Array.isArray(body.pgp_keys) && body.pgp_keys.length ? body.pgp_keys : undefined,
            backup: body.backup === true ? true : undefined,
            requireVerification: body.require_verification === true ? true : undefined,
          }),
        );
      },
    });
    app.delete(`${base}/init`, async (_req, reply) => {
      rekey.cancel();
      return reply.code(204).header('cache-control', 'no-store').send();
    });
    app.route({
      method: ['PUT', 'POST'],
      url: `${base}/update`,
      handler: async (request, reply) => {
        unsealed();
        const { share, nonce } = keyAndNonce(bodyOf(request));
        return raw(reply, await rekey.update(share, nonce));
      },
    });
  };
  rekeyRoutes('/v1/sys/rekey', core.rekey.barrier);
  rekeyRoutes('/v1/sys/rekey-recovery-key', core.rekey.recovery);
}

/** The raw quorum paths, which the router must see as themselves rather than as logical paths. */
export const QUORUM_PATHS = new Set([
  '/v1/sys/generate-root/attempt',
  '/v1/sys/generate-root/update',
  '/v1/sys/rekey/init',
  '/v1/sys/rekey/update',
  '/v1/sys/rekey-recovery-key/init',
  '/v1/sys/rekey-recovery-key/update',
]);
