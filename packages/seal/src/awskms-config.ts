import { OptionReader, checkUrl, type SealEnvironment } from './option-reader.js';
import type { SecretValue } from './secret-value.js';

/** `seal "awskms"`, checked and typed. Credentials are absent when the SDK's default chain applies. */
export interface AwsKmsConfig {
  readonly type: 'awskms';
  readonly disabled: boolean;
  readonly region: string;
  /** Key id, key ARN, alias name (`alias/x`) or alias ARN, as AWS accepts them. */
  readonly kmsKeyId: string;
  readonly endpoint?: string;
  readonly accessKey?: string;
  readonly secretKey?: SecretValue;
  readonly sessionToken?: SecretValue;
}

export const AWSKMS_OPTIONS = [
  'region',
  'access_key',
  'secret_key',
  'session_token',
  'kms_key_id',
  'endpoint',
] as const;

/** Vault's default when neither the stanza nor the environment names a region. */
const DEFAULT_REGION = 'us-east-1';
const REGION = /^[a-z]{2,}(-[a-z0-9]+)+-\d+$/;

/**
 * Parses `seal "awskms"` as Vault does: VAULT_AWSKMS_SEAL_KEY_ID, AWS_REGION/AWS_DEFAULT_REGION and
 * AWS_KMS_ENDPOINT override the stanza (Vault's order of precedence). Without `access_key` and
 * `secret_key` the SDK's default chain (env, shared files, web identity for IRSA, instance role) is used.
 */
export function parseAwsKmsConfig(options: unknown, env: SealEnvironment = {}): AwsKmsConfig {
  const reader = new OptionReader('awskms', options, env, AWSKMS_OPTIONS);
  const disabled = reader.disabled();
  const region = reader.string('region', { envFirst: ['AWS_REGION', 'AWS_DEFAULT_REGION'] }) ?? DEFAULT_REGION;
  if (!REGION.test(region)) reader.problem('region', `region "${region}" is not an AWS region name (like eu-west-1)`);
  const keySources = { envFirst: ['AWSKMS_WRAPPER_KEY_ID', 'VAULT_AWSKMS_SEAL_KEY_ID'] };
  const kmsKeyId = reader.require('kms_key_id', reader.string('kms_key_id', keySources), keySources);
  const arnRegion = kmsKeyId?.startsWith('arn:') ? kmsKeyId.split(':')[3] : undefined;
  if (arnRegion && REGION.test(region) && arnRegion !== region) {
    // KMS keys are regional: a client in one region can never use another region's key.
    reader.problem('kms_key_id', `"kms_key_id" is an ARN in ${arnRegion}, but the region is ${region}`);
  }
  const endpoint = checkUrl(reader, 'endpoint', reader.string('endpoint', { envFirst: ['AWS_KMS_ENDPOINT'] }));
  const accessKey = reader.string('access_key');
  const secretKey = reader.secret('secret_key');
  const sessionToken = reader.secret('session_token');
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    reader.problem(
      accessKey === undefined ? 'access_key' : 'secret_key',
      '"access_key" and "secret_key" go together: give both or neither',
    );
  }
  if (sessionToken && !accessKey)
    reader.problem('session_token', '"session_token" needs "access_key" and "secret_key"');
  reader.finish();
  return Object.freeze({
    type: 'awskms',
    disabled,
    region,
    kmsKeyId: kmsKeyId as string,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(accessKey === undefined ? {} : { accessKey }),
    ...(secretKey === undefined ? {} : { secretKey }),
    ...(sessionToken === undefined ? {} : { sessionToken }),
  });
}
