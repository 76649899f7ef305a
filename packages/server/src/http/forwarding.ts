import { Agent, request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { CofferError, type LeaderInfo, type Logger } from '@coffer/sdk';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../core/core.js';
import type { ClusterIdentity } from '../core/ha/cluster-tls.js';
import { clientAddress, FORWARDED_FOR, FORWARDED_PORT } from './request-input.js';

export const CLUSTER_SERVER_NAME = 'coffer-cluster';
const FORWARD_TIMEOUT_MS = 90_000;
const IDLE_SOCKET_MS = 4_000;

interface ForwardedAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Forwarding failed before the request could reach the active node: safe to redirect. */
class NotSent extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
  }
}

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
 * (`X-Vault-No-Request-Forwarding`) or the request could not be sent at all, answer 307 to the
 * active node's API address, as Vault does. With no known active node: 503.
 *
 * Once the request may have reached the active node, a failure is a 502 and never a 307: the
 * active node may have applied it, and a client following a redirect would apply it twice (the
 * failover fault run saw KV writes land twice that way).
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
    let answer: ForwardedAnswer;
    try {
      answer = await this.#send(request, leader, identity);
    } catch (error) {
      const reason = (error as Error).message;
      if (error instanceof NotSent) {
        this.#logger.warn({ leader: leader.clusterAddr, reason }, 'request forwarding failed before sending; redirecting the client');
        return this.#redirect(reply, leader, request);
      }
      this.#logger.warn({ leader: leader.clusterAddr, reason }, 'request forwarding failed after sending; its outcome is unknown');
      throw new CofferError('upstream', 'error forwarding the request to the active node; it may or may not have been applied', { cause: error });
    }
    reply.code(answer.status);
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) reply.header(name, value);
    }
    await reply.send(answer.body);
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

  #send(request: FastifyRequest, leader: LeaderInfo, identity: ClusterIdentity): Promise<ForwardedAnswer> {
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
          timeout: FORWARD_TIMEOUT_MS,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
          response.on('error', reject);
        },
      );
      // Sent once the connection to the active node is up (a reused keep-alive socket already is):
      // from then on the active node may see the request, whatever happens next.
      let sent = false;
      outgoing.on('socket', (socket) => {
        if ((socket as TLSSocket).authorized) sent = true;
        else socket.once('secureConnect', () => (sent = true));
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error('forwarding timed out')));
      outgoing.on('error', (error) => reject(sent ? error : new NotSent(error)));
      outgoing.end(body);
    });
  }

  /** One keep-alive agent per identity: the cluster CA vouches for the peer, not its host name. */
  #agentFor(identity: ClusterIdentity): Agent {
    if (this.#agent?.identity !== identity) {
      // Requests may still be running on the old agent: let them finish (idle sockets are unref'd
      // and time out), and only then drop it.
      const old = this.#agent?.agent;
      if (old) setTimeout(() => old.destroy(), FORWARD_TIMEOUT_MS + 5_000).unref();
      this.#agent = {
        identity,
        agent: new Agent({
          keepAlive: true,
          ca: identity.caPem,
          cert: identity.certPem,
          key: identity.keyPem,
          checkServerIdentity: () => undefined,
          // This side closes idle sockets first (the active node keeps them 72 s, fastify's
          // default), so a request is never written into a socket the active node is closing.
          timeout: IDLE_SOCKET_MS,
        }),
      };
    }
    return this.#agent.agent;
  }
}
