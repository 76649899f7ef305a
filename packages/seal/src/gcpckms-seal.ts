import { KeyManagementServiceClient } from '@google-cloud/kms';
import { createEnvelopeSeal, type AutoSeal, type KeyWrapper } from './envelope-seal.js';
import type { GcpCkmsConfig } from './gcpckms-config.js';
import { gcpCkmsFailure } from './gcpckms-errors.js';
import { kmsFailure, networkFailure } from './seal-error.js';

type ClientOptions = NonNullable<ConstructorParameters<typeof KeyManagementServiceClient>[0]>;

export interface GcpCkmsSealOptions {
  /**
   * An explicit google-auth-library client (tests, or callers with their own token source). Without
   * it, the `credentials` file is used, else Application Default Credentials (workload identity),
   * which on a machine outside GCP probe the metadata server.
   */
  authClient?: ClientOptions['authClient'];
}

const CALL_OPTIONS = { timeout: 30_000 };

/**
 * The gcpckms seal: envelope encryption with the data key wrapped by Cloud KMS `encrypt` on the
 * crypto key, which uses its primary version. The blob records the crypto key and the version
 * Cloud KMS reports; `decrypt` takes the crypto key (the ciphertext names its version), so old
 * blobs unwrap after rotation while their version stays enabled. The client speaks REST (the
 * SDK's `fallback` mode) everywhere, so the transport tested against the fake is the one used in
 * production.
 */
export function createGcpCkmsSeal(config: GcpCkmsConfig, options: GcpCkmsSealOptions = {}): AutoSeal {
  const clientOptions: ClientOptions = {
    fallback: true,
    ...endpointOptions(config.endpoint),
    ...(options.authClient
      ? { authClient: options.authClient }
      : config.credentials
        ? { keyFilename: config.credentials }
        : {}),
  };
  // The generated client caches a failed initialisation (credentials file missing, no ADC) for
  // good, and then every call leaves an unhandled rejection behind (`initialize().catch(throw)`),
  // which would crash the server. So initialise it here, handled, and start over after a failure.
  let current: KeyManagementServiceClient | undefined;
  const ready = async (): Promise<KeyManagementServiceClient> => {
    const client = (current ??= new KeyManagementServiceClient(clientOptions));
    try {
      await client.initialize();
      return client;
    } catch (error) {
      if (current === client) current = undefined;
      await client.close().catch(() => undefined);
      throw error;
    }
  };
  const where = config.endpoint ?? undefined;
  const context = (operation: string, key = config.keyName) => ({ operation, key, ...(where ? { where } : {}) });

  const kms: KeyWrapper = {
    type: 'gcpckms',
    describe: () => ({
      type: 'gcpckms',
      project: config.project,
      region: config.region,
      key_ring: config.keyRing,
      crypto_key: config.cryptoKey,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      credentials: options.authClient
        ? 'explicit client'
        : config.credentials
          ? 'credentials file'
          : 'application default',
    }),
    async wrapKey(dataKey, signal) {
      const [out] = await attempt(signal, ready, (client) =>
        client.encrypt({ name: config.keyName, plaintext: dataKey }, CALL_OPTIONS),
      ).catch((error: unknown) => {
        throw signal?.aborted ? error : gcpCkmsFailure(error, context('encrypt'));
      });
      const version = out.name ? versionOf(out.name) : undefined;
      if (!out.ciphertext || !version)
        throw kmsFailure('gcpckms', 'unknown', context('encrypt'), 'the answer has no ciphertext or key version');
      return { keyId: config.keyName, keyVersion: version, wrappedKey: toBytes(out.ciphertext) };
    },
    async unwrapKey(wrappedKey, key, signal) {
      if (key.keyId !== config.keyName) {
        throw kmsFailure('gcpckms', 'key_mismatch', context('decrypt'), `the blob was wrapped by "${key.keyId}"`);
      }
      const [out] = await attempt(signal, ready, (client) =>
        client.decrypt({ name: config.keyName, ciphertext: wrappedKey }, CALL_OPTIONS),
      ).catch((error: unknown) => {
        throw signal?.aborted
          ? error
          : gcpCkmsFailure(error, context('decrypt', `${config.keyName}/cryptoKeyVersions/${key.keyVersion ?? '?'}`));
      });
      if (!out.plaintext) throw kmsFailure('gcpckms', 'unknown', context('decrypt'), 'the answer has no plaintext');
      return toBytes(out.plaintext);
    },
    async check(signal) {
      const [key] = await attempt(signal, ready, (client) =>
        client.getCryptoKey({ name: config.keyName }, CALL_OPTIONS),
      ).catch((error: unknown) => {
        throw signal?.aborted ? error : gcpCkmsFailure(error, context('get crypto key'));
      });
      const primary = key.primary;
      if (!primary?.name)
        throw kmsFailure('gcpckms', 'key_disabled', context('get crypto key'), 'the key has no primary version');
      // REST answers enums as numbers (`enum-encoding=int`): 1 is ENABLED.
      if (primary.state !== 'ENABLED' && primary.state !== 1) {
        throw kmsFailure(
          'gcpckms',
          'key_disabled',
          context('get crypto key'),
          `primary version state ${String(primary.state)}`,
        );
      }
      return { keyId: config.keyName, keyVersion: versionOf(primary.name) ?? primary.name };
    },
    close: async () => {
      const client = current;
      current = undefined;
      await client?.close().catch(() => undefined);
    },
  };
  return createEnvelopeSeal(kms);
}

function endpointOptions(endpoint: string | undefined): Partial<ClientOptions> {
  if (!endpoint) return {};
  const url = new URL(endpoint);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { apiEndpoint: url.hostname, port: Number(url.port || (protocol === 'http' ? 80 : 443)), protocol };
}

/** `projects/…/cryptoKeys/k/cryptoKeyVersions/3` → `3` */
function versionOf(name: string): string | undefined {
  return /\/cryptoKeyVersions\/([^/]+)$/.exec(name)?.[1];
}

function toBytes(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'base64') : value;
}

/**
 * One call, tried a second time when it failed on a connection the server had closed meanwhile
 * (gaxios reuses keep-alive sockets and does not retry that itself). Other failures are final here;
 * the server's unseal loop does the long retries.
 */
async function attempt<T>(
  signal: AbortSignal | undefined,
  ready: () => Promise<KeyManagementServiceClient>,
  call: (client: KeyManagementServiceClient) => Promise<T>,
): Promise<T> {
  const once = async () => call(await abortable(signal, ready()));
  try {
    return await abortable(signal, once());
  } catch (error) {
    const code = networkFailure(error);
    if (signal?.aborted || (code !== 'ECONNRESET' && code !== 'EPIPE')) throw error;
    return abortable(signal, once());
  }
}

/** gax calls take no AbortSignal; give up waiting when the caller aborts. */
function abortable<T>(signal: AbortSignal | undefined, call: Promise<T>): Promise<T> {
  if (!signal) return call;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
