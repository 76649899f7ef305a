import { randomUUID } from 'node:crypto';
import { CofferError } from '@coffer/sdk';
import type { FastifyInstance } from 'fastify';
import type { Core } from '../core/core.js';
import { envelope } from './envelope.js';
import { clientAddress, operationFor, parseBody, parseTarget, queryData, tokenFrom, wrapTtlFrom } from './request-input.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Every `/v1/...` path not served by a status route: mapped to a logical operation and handed to the core. */
export function registerLogicalRoutes(app: FastifyInstance, core: Core): void {
  app.route({
    method: [...METHODS],
    url: '/v1/logical',
    handler: async (request, reply) => {
      const { path, query } = parseTarget(request.originalUrl);
      const operation = operationFor(request.method, query);
      if (operation === 'patch' && !/^application\/merge-patch\+json\b/i.test(request.headers['content-type'] ?? '')) {
        throw new CofferError('unsupported_media_type', 'PATCH requires Content-Type application/merge-patch+json');
      }
      const data =
        operation === 'read' || operation === 'list' || (operation === 'delete' && !hasBody(request.body))
          ? queryData(query)
          : parseBody(request.body as Buffer | undefined, request.headers['content-type']);
      const token = tokenFrom(request.headers);
      const wrapTtl = wrapTtlFrom(request.headers['x-vault-wrap-ttl']);
      const labels = { mount: 'unknown', operation };
      (request as unknown as { cofferLabels: typeof labels }).cofferLabels = labels;
      const id = randomUUID();
      const result = await core.handle({
        id,
        operation,
        path,
        data,
        ...(token !== undefined ? { token } : {}),
        remoteAddress: clientAddress(request.raw.socket, request.headers).address,
        remotePort: clientAddress(request.raw.socket, request.headers).port,
        ...(wrapTtl !== undefined ? { wrapTtl } : {}),
      });
      labels.mount = result.mountType;
      const answer = envelope(id, operation, result);
      reply.code(answer.status).header('cache-control', 'no-store');
      if (answer.raw) return reply.type(answer.raw.contentType).send(answer.raw.body);
      return answer.body === undefined ? reply.send() : reply.type('application/json').send(answer.body);
    },
  });
}

function hasBody(body: unknown): boolean {
  return Buffer.isBuffer(body) && body.length > 0;
}
