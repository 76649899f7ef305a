import { readFile } from 'node:fs/promises';
import { CofferError } from '@coffer/sdk';
import { ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleWhen, noop, type IBackoff } from 'cockatiel';
import { Etcd3, isRecoverableError, type IOptions } from 'etcd3';
import type { EtcdStorageConfig } from './config.js';

/**
 * The etcd3 client for one storage. Retries are ours (RequestRunner), so the client's global retry
 * policy is off; each member keeps a circuit breaker, so after three straight failures it is skipped
 * for a second instead of the client's default five (a restarted member rejoins quickly). Watches
 * reconnect within two seconds at most, not the default thirty.
 */
export async function createEtcdClient(config: EtcdStorageConfig): Promise<Etcd3> {
  const options: IOptions = {
    hosts: [...config.endpoints],
    faultHandling: {
      global: noop,
      host: () => circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) }),
      // etcd3 types this as a backoff but uses it as a factory (calls next() first), as cockatiel's is.
      watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 2000 }) as unknown as IBackoff<unknown>,
    },
  };
  if (config.maxReceiveBytes !== undefined) {
    options.grpcOptions = { 'grpc.max_receive_message_length': config.maxReceiveBytes };
  }
  if (config.username !== undefined && config.password !== undefined) {
    options.auth = { username: config.username, password: config.password };
  }
  if (config.tlsCaFile !== undefined || config.tlsCertFile !== undefined) {
    const [ca, cert, key] = await Promise.all([
      readTlsFile('tls_ca_file', config.tlsCaFile),
      readTlsFile('tls_cert_file', config.tlsCertFile),
      readTlsFile('tls_key_file', config.tlsKeyFile),
    ]);
    // Without a CA file, gRPC trusts the system's roots (rootCertificate left unset).
    options.credentials = {
      ...(ca === undefined ? {} : { rootCertificate: ca }),
      ...(cert === undefined ? {} : { certChain: cert }),
      ...(key === undefined ? {} : { privateKey: key }),
    } as NonNullable<IOptions['credentials']>;
  }
  return new Etcd3(options);
}

async function readTlsFile(option: string, path: string | undefined): Promise<Buffer | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CofferError('invalid_request', `storage "etcd": cannot read ${option} (${reason})`, { cause: error });
  }
}
