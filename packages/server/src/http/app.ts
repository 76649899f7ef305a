import { createServer, type IncomingMessage, type Server } from 'node:http';
import { CofferError, type Logger } from '@coffer/sdk';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Core } from '../core/core.js';
import { sendError } from './error-reply.js';
import type { Metrics } from '../metrics/metrics.js';
import { Forwarder } from './forwarding.js';
import { trackResponseBoundaries } from './list-shim.js';
import { registerLogicalRoutes } from './logical-routes.js';
import { QUORUM_PATHS, registerSysQuorumRoutes } from './sys-quorum-routes.js';
import { registerSysStatusRoutes, type NodeInfo } from './sys-status-routes.js';
import { isUnauthenticatedMetrics, registerUnauthenticatedMetricsRoute, UNAUTHENTICATED_METRICS_ROUTE } from './unauthenticated-metrics-route.js';

export interface AppOptions {
  core: Core;
  /** Request count and latency by mount type and operation go here when given. */
  metrics?: Metrics;
  logger: Logger;
  info: NodeInfo;
  /** Vault's `max_request_size`: bodies above it get 413. */
  maxRequestSize: number;
  /** Vault's `max_request_duration`, in seconds. */
  maxRequestDuration: number;
}

/**
 * The HTTP adapter: fastify with Vault's wire rules. It parses, bounds and maps requests; everything
 * else (tokens, ACLs, engines) happens in the core. Listening is separate (see listener.ts), so
 * tests drive this app with `inject()` and no sockets.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance<Server>> {
  const { core, logger } = options;
  const app = Fastify({
    serverFactory: (handler) => createServer(handler),
    bodyLimit: options.maxRequestSize,
    connectionTimeout: 0,
    requestTimeout: options.maxRequestDuration * 1000,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, maxParamLength: 8192 },
    // URLs are ours to judge (request-input.ts), including ones find-my-way would choke on.
    rewriteUrl: (req) => normaliseForRouter(req),
  });

  // Bodies are parsed by our own rules (JSON regardless of content type, as Vault does).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error, request, reply) => sendError(error, request, reply, logger));
  app.setNotFoundHandler((request, reply) => {
    const known = request.originalUrl.startsWith('/v1/');
    sendError(
      known ? new CofferError('unsupported_operation', `unsupported method ${request.method}`) : new CofferError('not_found', ''),
      request,
      reply,
      logger,
    );
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });

  // A standby serves only the local status endpoints; everything else goes to the active node.
  const forwarder = new Forwarder(core, logger);
  app.addHook('preHandler', async (request, reply) => {
    if ((request.routeOptions.config as { local?: boolean }).local || core.role !== 'standby') return;
    // A request that already came through the cluster is never forwarded again.
    if ((request.raw.socket as { trustedPeer?: boolean }).trustedPeer) {
      throw new CofferError('unavailable', 'this node is no longer active; retry');
    }
    await forwarder.handle(request, reply);
    return reply;
  });
  app.addHook('onClose', async () => forwarder.close());

  const metrics = options.metrics;
  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      const labels = (request as unknown as { cofferLabels?: { mount: string; operation: string } }).cofferLabels ?? {
        mount: 'none',
        operation: request.method.toLowerCase(),
      };
      metrics.requests.inc({ ...labels, status: String(reply.statusCode) });
      metrics.requestSeconds.observe(labels, reply.elapsedTime / 1000);
    });
  }

  registerSysStatusRoutes(app, core, options.info);
  registerSysQuorumRoutes(app, core);
  registerUnauthenticatedMetricsRoute(app, options.metrics);
  registerLogicalRoutes(app, core);
  await app.ready();
  trackResponseBoundaries(app.server);
  return app;
}

/**
 * The router only decides which handler runs; it must not reject odd paths before our validation
 * can answer them clearly. `/v1/...` is routed as is (minus the query); anything else goes to 404.
 */
function normaliseForRouter(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const path = url.split('?')[0] ?? '/';
  const query = url.includes('?') ? url.slice(url.indexOf('?')) : '';
  if (req.method === 'GET' && isUnauthenticatedMetrics(req, path)) return UNAUTHENTICATED_METRICS_ROUTE + query;
  if (path === '/v1/sys/health' || path === '/v1/sys/seal-status' || path === '/v1/sys/init') return url;
  if (path === '/v1/sys/unseal' || path === '/v1/sys/leader' || QUORUM_PATHS.has(path)) return url;
  return path.startsWith('/v1/') ? '/v1/logical' + query : '/not-found';
}
