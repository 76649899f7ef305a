import { silentLogger, type Logger } from '@coffer/sdk';
import { createEnvelopeSeal, type AutoSeal, type KeyWrapper } from './envelope-seal.js';
import { kmsFailure } from './seal-error.js';
import { TransitClient, type TransitReply } from './transit-client.js';
import type { TransitSealConfig } from './transit-config.js';
import { transitFailure, transitUnreachable } from './transit-errors.js';
import { startTokenRenewal, type TokenRenewal } from './transit-renewal.js';

export interface TransitSealOptions {
  /** Renewal problems are logged here (never the token). */
  logger?: Logger;
}

const CIPHERTEXT = /^vault:v(\d+):[A-Za-z0-9+/]+={0,2}$/;

/**
 * The transit seal: envelope encryption with the data key wrapped by another Coffer's (or Vault's)
 * transit engine, `POST /v1/<mount>/encrypt/<key>` and `decrypt/<key>`. The blob records the key
 * name and the version from the `vault:v<N>:` ciphertext; transit picks the version from the
 * ciphertext, so old blobs unwrap after the key rotates (until min_decryption_version says no).
 */
export async function createTransitSeal(
  config: TransitSealConfig,
  options: TransitSealOptions = {},
): Promise<AutoSeal> {
  const client = await TransitClient.create(config);
  const logger = options.logger ?? silentLogger;
  const renewal: TokenRenewal | undefined = config.disableRenewal ? undefined : startTokenRenewal(client, logger);
  const key = encodeURIComponent(config.keyName);
  const where = `${config.address}/v1/${config.mountPath}/`;
  const context = (operation: string) => ({ operation, key: config.keyName, where });

  const call = async (
    operation: 'encrypt' | 'decrypt',
    payload: Record<string, unknown>,
    signal: AbortSignal | undefined,
  ) => {
    let reply: TransitReply;
    try {
      reply = await client.post(`${config.mountPath}/${operation}/${key}`, payload, signal);
    } catch (error) {
      throw transitUnreachable(error, context(operation)) ?? error;
    }
    if (reply.status !== 200) throw transitFailure(reply, context(operation));
    const data = reply.body['data'];
    return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  };

  const encrypt = async (plaintext: Uint8Array, signal: AbortSignal | undefined) => {
    const data = await call('encrypt', { plaintext: Buffer.from(plaintext).toString('base64') }, signal);
    const ciphertext = data['ciphertext'];
    const version = typeof ciphertext === 'string' ? CIPHERTEXT.exec(ciphertext)?.[1] : undefined;
    if (typeof ciphertext !== 'string' || !version) {
      throw kmsFailure('transit', 'unknown', context('encrypt'), 'the answer has no vault:v<N>: ciphertext');
    }
    return { keyId: config.keyName, keyVersion: version, ciphertext };
  };

  const kms: KeyWrapper = {
    type: 'transit',
    describe: () => ({
      type: 'transit',
      address: config.address,
      mount_path: `${config.mountPath}/`,
      key_name: config.keyName,
      ...(config.namespace ? { namespace: config.namespace } : {}),
      token_renewal: config.disableRenewal ? 'disabled' : 'enabled',
    }),
    async wrapKey(dataKey, signal) {
      const { ciphertext, ...used } = await encrypt(dataKey, signal);
      return { ...used, wrappedKey: Buffer.from(ciphertext, 'utf8') };
    },
    async unwrapKey(wrappedKey, used, signal) {
      if (used.keyId !== config.keyName) {
        throw kmsFailure(
          'transit',
          'key_mismatch',
          context('decrypt'),
          `the blob was wrapped by transit key "${used.keyId}"`,
        );
      }
      const data = await call('decrypt', { ciphertext: wrappedKey.toString('utf8') }, signal);
      const plaintext = data['plaintext'];
      if (typeof plaintext !== 'string')
        throw kmsFailure('transit', 'unknown', context('decrypt'), 'the answer has no plaintext');
      return Buffer.from(plaintext, 'base64');
    },
    // Vault checks a transit seal by encrypting a value; the answer names the key's latest version.
    async check(signal) {
      const { ciphertext: _ignored, ...used } = await encrypt(Buffer.from('coffer seal check'), signal);
      return used;
    },
    async close() {
      renewal?.stop();
      client.close();
    },
  };
  return createEnvelopeSeal(kms);
}
