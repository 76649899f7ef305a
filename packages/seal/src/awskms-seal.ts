import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  KMSClient,
  type KMSClientConfig,
} from '@aws-sdk/client-kms';
import type { AwsKmsConfig } from './awskms-config.js';
import { awsKmsFailure } from './awskms-errors.js';
import { createEnvelopeSeal, type AutoSeal, type KeyWrapper } from './envelope-seal.js';
import { kmsFailure } from './seal-error.js';

/**
 * The awskms seal: envelope encryption with the data key wrapped by `Encrypt` on the configured
 * key. The blob records the key ARN AWS reports (an alias resolves to its key), and `Decrypt`
 * names that ARN, so an alias moved to another key still unwraps old blobs. AWS keeps rotated
 * backing keys inside the ciphertext, so there is no key version to record.
 */
export function createAwsKmsSeal(config: AwsKmsConfig): AutoSeal {
  const client = new KMSClient(clientConfig(config));
  const where = config.endpoint ? `${config.region} at ${config.endpoint}` : config.region;
  const context = (operation: string, key = config.kmsKeyId) => ({ operation, key, where });

  const kms: KeyWrapper = {
    type: 'awskms',
    describe: () => ({
      type: 'awskms',
      kms_key_id: config.kmsKeyId,
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      credentials: config.accessKey ? 'static' : 'default chain',
    }),
    async wrapKey(dataKey, signal) {
      const out = await client
        .send(new EncryptCommand({ KeyId: config.kmsKeyId, Plaintext: dataKey }), signal ? { abortSignal: signal } : {})
        .catch((error: unknown) => {
          throw awsKmsFailure(error, context('encrypt'));
        });
      if (!out.CiphertextBlob)
        throw kmsFailure('awskms', 'unknown', context('encrypt'), 'no CiphertextBlob in the answer');
      return { keyId: out.KeyId ?? config.kmsKeyId, wrappedKey: out.CiphertextBlob };
    },
    async unwrapKey(wrappedKey, key, signal) {
      const out = await client
        .send(
          new DecryptCommand({ CiphertextBlob: wrappedKey, KeyId: key.keyId }),
          signal ? { abortSignal: signal } : {},
        )
        .catch((error: unknown) => {
          throw awsKmsFailure(error, context('decrypt', key.keyId));
        });
      if (!out.Plaintext)
        throw kmsFailure('awskms', 'unknown', context('decrypt', key.keyId), 'no Plaintext in the answer');
      return out.Plaintext;
    },
    async check(signal) {
      const out = await client
        .send(new DescribeKeyCommand({ KeyId: config.kmsKeyId }), signal ? { abortSignal: signal } : {})
        .catch((error: unknown) => {
          throw awsKmsFailure(error, context('describe key'));
        });
      const metadata = out.KeyMetadata;
      if (!metadata?.Arn)
        throw kmsFailure('awskms', 'unknown', context('describe key'), 'no key metadata in the answer');
      if (metadata.Enabled === false) {
        throw kmsFailure(
          'awskms',
          'key_disabled',
          context('describe key'),
          `key state ${metadata.KeyState ?? 'Disabled'}`,
        );
      }
      return { keyId: metadata.Arn };
    },
    close: async () => client.destroy(),
  };
  return createEnvelopeSeal(kms);
}

function clientConfig(config: AwsKmsConfig): KMSClientConfig {
  return {
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.accessKey && config.secretKey
      ? {
          credentials: {
            accessKeyId: config.accessKey,
            secretAccessKey: config.secretKey.reveal(),
            ...(config.sessionToken ? { sessionToken: config.sessionToken.reveal() } : {}),
          },
        }
      : {}),
    // A few quick retries inside the SDK; the server's unseal loop does the long, capped backoff.
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
  };
}
