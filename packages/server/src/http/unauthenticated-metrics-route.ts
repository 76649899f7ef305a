import type { IncomingMessage } from 'node:http';
import { CofferError } from '@coffer/sdk';
import type { FastifyInstance } from 'fastify';
import { renderMetrics, type Metrics } from '../metrics/metrics.js';

/** Where the router sends sys/metrics from a listener with `unauthenticated_metrics_access`. */
export const UNAUTHENTICATED_METRICS_ROUTE = '/v1/sys/metrics/unauthenticated';

/**
 * Whether this request is GET sys/metrics on a listener that serves it without a token. Decided on
 * the connection (the listener marks its sockets), never on anything the client sends.
 */
export function isUnauthenticatedMetrics(request: IncomingMessage, path: string): boolean {
  return path === '/v1/sys/metrics' && (request.socket as { unauthenticatedMetrics?: boolean }).unauthenticatedMetrics === true;
}

/**
 * Vault's `telemetry { unauthenticated_metrics_access = true }`: Prometheus scrapes this listener
 * with no token. As in Vault it bypasses the token check and the audit log (a scraper every few
 * seconds would drown it), answers on standbys with their own metrics, and gives nothing but the
 * metrics: the same formats as the authenticated sys/metrics.
 */
export function registerUnauthenticatedMetricsRoute(app: FastifyInstance, metrics: Metrics | undefined): void {
  app.get(UNAUTHENTICATED_METRICS_ROUTE, { config: { local: true } }, async (request, reply) => {
    if (!metrics) throw new CofferError('unsupported_path', 'metrics are not collected on this server');
    const { contentType, body } = await renderMetrics(metrics, (request.query as { format?: unknown }).format);
    return reply.type(contentType).send(body);
  });
}
