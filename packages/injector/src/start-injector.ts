import type { Logger } from '@coffer/sdk';
import { inClusterConnection, inClusterNamespace, KubeClient, type KubeConnection } from './kube/kube-client.js';
import type { InjectorSettings } from './settings.js';
import { AutoTls, type AutoTlsOptions } from './tls/auto-tls.js';
import { AutoTlsSource, FileTlsSource, type TlsSource } from './tls/tls-source.js';
import { startWebhookServer } from './webhook-server.js';

export interface StartInjectorOptions {
  settings: InjectorSettings;
  logger: Logger;
  /** For the in-cluster Kubernetes connection (default: this process's environment). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The Kubernetes API to keep the certificate Secret and caBundle in (default: in-cluster). */
  kubernetes?: KubeConnection;
  /** How often the certificate Secret, the caBundle or the certificate files are re-checked (default 60 s). */
  tlsCheckIntervalMs?: number;
  /** Clock and lifetimes of generated certificates (tests). */
  now?: () => Date;
  certificates?: Pick<AutoTlsOptions, 'certificateLifetimeMs' | 'caLifetimeMs' | 'renewWithin'>;
  /** Aborting it gives up waiting for the first certificate (SIGTERM during start). */
  signal?: AbortSignal;
}

export interface RunningInjector {
  /** `https://host:port` of the webhook. */
  readonly url: string;
  /** The certificate source; `tls.check()` runs one renewal check now. */
  readonly tls: TlsSource;
  close(): Promise<void>;
}

/**
 * Starts the injector: obtains the serving certificate first (generated and shared through the
 * Kubernetes Secret, or read from the given files), then serves the webhook, swapping in each
 * renewed certificate without a restart.
 */
export async function startInjector(options: StartInjectorOptions): Promise<RunningInjector> {
  const { settings, logger } = options;
  for (const name of settings.ignored) logger.warn({ setting: name }, 'setting has no effect in the Coffer injector; ignored');
  const tls = await tlsSource(options);
  const abandon = () => tls.stop();
  options.signal?.addEventListener('abort', abandon, { once: true });
  let certificate;
  try {
    certificate = await tls.initial();
  } catch (error) {
    tls.stop();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', abandon);
  }
  const server = await startWebhookServer({
    host: settings.listen.host,
    port: settings.listen.port,
    certificate,
    minVersion: settings.tlsMinVersion,
    defaults: settings.agent,
    telemetryPath: settings.telemetryPath,
    logger,
  });
  tls.watch((next) => server.setCertificate(next));
  logger.info({ url: server.url, tls: settings.tls.mode, vault_addr: settings.agent.vaultAddress, image: settings.agent.image }, 'agent injector listening');
  return {
    url: server.url,
    tls,
    async close() {
      tls.stop();
      await server.close();
    },
  };
}

async function tlsSource(options: StartInjectorOptions): Promise<TlsSource> {
  const { settings, logger } = options;
  const interval = options.tlsCheckIntervalMs ?? 60_000;
  if (settings.tls.mode === 'files') return new FileTlsSource(settings.tls.certFile, settings.tls.keyFile, logger.child({ component: 'tls' }), interval);
  const kube = new KubeClient(options.kubernetes ?? (await inClusterConnection(options.env ?? process.env)));
  const namespace = settings.tls.namespace ?? (await inClusterNamespace());
  const auto = new AutoTls({
    kube,
    namespace,
    secretName: settings.tls.secretName,
    webhookName: settings.tls.webhookName,
    hosts: settings.tls.hosts,
    logger: logger.child({ component: 'tls' }),
    ...(options.now ? { now: options.now } : {}),
    ...options.certificates,
  });
  return new AutoTlsSource(auto, logger.child({ component: 'tls' }), interval, options.now);
}
