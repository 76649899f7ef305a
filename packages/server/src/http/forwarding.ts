import { Agent, request as httpsRequest } from 'node:https';
import { CofferError, type LeaderInfo, type Logger } from '@coffer/sdk';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../core/core.js';
import type { ClusterIdentity } from '../core/ha/cluster-tls.js';
import { clientAddress, FORWARDED_FOR, FORWARDED_PORT } from './request-input.js';

export const CLUSTER_SERVER_NAME = 'coffer-cluster';

/** Headers that describe one hop, not the request: never relayed. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
  'content-length',
  FORWARDED_FOR,
  FORWARDED_PORT,
]);

/**
 * A standby's answer to a request meant for the active node: forward it over the cluster address
 * with mutual TLS and relay the answer unchanged; or, when the client asked not to forward
 * (`X-Vault-No-Request-Forwarding`) or forwarding fails before anything came back, answer 307 to
 * the active node's API address, as Vault does. With no known active node: 503.
 */
export class Forwarder {
  readonly #core: Core;
  readonly #logger: Logger;
  #agent: { identity: ClusterIdentity; agent: Agent } | undefined;

  constructor(core: Core, logger: Logger) {
    this.#core = core;
    this.#logger = logger;
  }

  async handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { self, leader } = this.#core.haState();
    if (!leader || leader.id === self?.id) {
      throw new CofferError('unavailable', 'no active Vault instance found');
    }
    if (request.headers['x-vault-no-request-forwarding']) return this.#redirect(reply, leader, request);
    const identity = await this.#core.clusterIdentity().catch(() => undefined);
    if (!identity) return this.#redirect(reply, leader, request);
    try {
      const answer = await this.#send(request, leader, identity);
      reply.code(answer.status);
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) reply.header(name, value);
      }
      await reply.send(answer.body);
    } catch (error) {
      this.#logger.warn({ leader: leader.clusterAddr, reason: (error as Error).message }, 'request forwarding failed; redirecting the client');
      return this.#redirect(reply, leader, request);
    }
  }

  async close(): Promise<void> {
    this.#agent?.agent.destroy();
    this.#agent = undefined;
  }

  async #redirect(reply: FastifyReply, leader: LeaderInfo, request: FastifyRequest): Promise<void> {
    await reply
      .code(307)
      .header('location', `${leader.apiAddr.replace(/\/+$/, '')}${request.originalUrl}`)
      .header('cache-control', 'no-store')
      .send();
  }

  #send(
    request: FastifyRequest,
    leader: LeaderInfo,
    identity: ClusterIdentity,
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    const target = new URL(leader.clusterAddr);
    const from = clientAddress(request.raw.socket, request.headers);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    headers[FORWARDED_FOR] = from.address;
    headers[FORWARDED_PORT] = String(from.port);
    const body = Buffer.isBuffer(request.body) ? request.body : undefined;
    if (body) headers['content-length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const outgoing = httpsRequest(
        {
          host: target.hostname.replace(/^\[|\]$/g, ''),
          port: Number(target.port || 8201),
          method: request.method,
          path: request.originalUrl,
          headers,
          // Cluster addresses are often IPs, which carry no SNI; the cluster listener picks its
          // certificate by SNI, so name the cluster explicitly.
          servername: CLUSTER_SERVER_NAME,
          agent: this.#agentFor(identity),
          timeout: 90_000,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
          response.on('error', reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error('forwarding timed out')));
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /** One keep-alive agent per identity: the cluster CA vouches for the peer, not its host name. */
  #agentFor(identity: ClusterIdentity): Agent {
    if (this.#agent?.identity !== identity) {
      this.#agent?.agent.destroy();
      this.#agent = {
        identity,
        agent: new Agent({
          keepAlive: true,
          ca: identity.caPem,
          cert: identity.certPem,
          key: identity.keyPem,
          checkServerIdentity: () => undefined,
        }),
      };
    }
    return this.#agent.agent;
  }
}
