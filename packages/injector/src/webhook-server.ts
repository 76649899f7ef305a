import type { AddressInfo } from 'node:net';
import type { Logger } from '@coffer/sdk';
import fastify, { type FastifyInstance } from 'fastify';
import type { Server as HttpsServer } from 'node:https';
import { readAdmissionReview, type AdmissionReview } from './admission-review.js';
import { InjectorMetrics } from './metrics.js';
import { mutate } from './mutate.js';
import type { AgentDefaults } from './settings.js';

/** A PEM key and certificate (chain) to serve. */
export interface ServingCertificate {
  certPem: string;
  keyPem: string;
}

export interface WebhookServerOptions {
  host: string;
  port: number;
  certificate: ServingCertificate;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  defaults: AgentDefaults;
  telemetryPath: string | undefined;
  logger: Logger;
}

export interface WebhookServer {
  /** `https://host:port`. */
  readonly url: string;
  /** Serves new connections with this certificate (renewal), without a restart. */
  setCertificate(certificate: ServingCertificate): void;
  close(): Promise<void>;
}

/**
 * The webhook over HTTPS only: `POST /mutate` (AdmissionReview v1 or v1beta1, answered in the
 * same version), `GET /health/ready` (204: it listens only once it has a certificate) and the
 * Prometheus metrics. Bodies are bounded and must arrive within 10 s (vault-k8s#362).
 */
export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const { logger } = options;
  const app = fastify({
    https: { key: options.certificate.keyPem, cert: options.certificate.certPem, minVersion: options.minVersion },
    // Pods with many containers and large annotations stay well below this.
    bodyLimit: 8 * 1024 * 1024,
    requestTimeout: 10_000,
    logger: false,
  }) as unknown as FastifyInstance<HttpsServer>;
  const metrics = new InjectorMetrics();

  app.post('/mutate', async (request, reply) => {
    const done = metrics.start();
    const review = readAdmissionReview(request.body);
    if (typeof review === 'string') {
      done(undefined);
      logger.warn({ reason: review }, 'malformed admission request');
      return reply.code(400).send({ error: review });
    }
    const req = review.request as NonNullable<AdmissionReview['request']>;
    try {
      const result = mutate(req, options.defaults);
      done(result);
      const fields = { uid: req.uid, namespace: result.namespace, name: req.name ?? (req.object as { metadata?: { generateName?: string } })?.metadata?.generateName };
      if (result.refused) logger.warn({ ...fields, reason: result.response.status?.message }, 'pod refused');
      else if (result.injected) logger.info({ ...fields, injection: result.injected }, 'agent injected');
      const answer: AdmissionReview = { apiVersion: review.apiVersion, kind: 'AdmissionReview', response: result.response };
      return reply.code(200).send(answer);
    } catch (error) {
      done(undefined);
      logger.error({ uid: req.uid, error: (error as Error).message }, 'admission request failed');
      return reply.code(500).send({ error: 'internal error' });
    }
  });
  app.get('/health/ready', async (_request, reply) => reply.code(204).send());
  if (options.telemetryPath) {
    app.get(options.telemetryPath, async (_request, reply) => reply.type('text/plain; version=0.0.4').send(metrics.text()));
  }

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `https://${host}:${address.port}`,
    setCertificate(certificate) {
      app.server.setSecureContext({ key: certificate.keyPem, cert: certificate.certPem, minVersion: options.minVersion });
    },
    close: () => app.close(),
  };
}
