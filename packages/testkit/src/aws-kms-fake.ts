import { randomBytes, randomUUID } from 'node:crypto';
import { sigV4Credential, verifySigV4 } from './aws-sigv4.js';
import { FakeHttpServer, jsonBody, type FakeReply, type RecordedRequest } from './fake-http-server.js';
import { FakeAesKey } from './fake-keys.js';

export interface AwsKmsFakeOptions {
  region?: string;
  accountId?: string;
}

export interface AwsKmsFakeKey {
  /** The key's UUID. */
  keyId: string;
  arn: string;
}

/** A KMS (TrentService) fake speaking AWS JSON 1.1 over http; see startAwsKmsFake. */
export interface AwsKmsFake {
  /** `http://127.0.0.1:<port>`: the seal's `endpoint`. */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** The only credentials the fake accepts (requests are SigV4-verified). */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly requests: readonly RecordedRequest[];
  /** A new symmetric key, optionally with an alias (`alias/name`). */
  createKey(options?: { alias?: string }): AwsKmsFakeKey;
  /** The key is given by id, ARN, alias or alias ARN; by default, the first key created. */
  rotateKey(key?: string): void;
  disableKey(key?: string): void;
  enableKey(key?: string): void;
  /** Every call is refused with AccessDeniedException until `allow()`. */
  deny(): void;
  allow(): void;
  down(): Promise<void>;
  up(): Promise<void>;
  /** Calls of one operation (`Encrypt`, `Decrypt`, `DescribeKey`). */
  calls(operation: string): RecordedRequest[];
  close(): Promise<void>;
}

interface KeyRecord extends AwsKmsFakeKey {
  material: FakeAesKey;
  created: number;
}

const MAGIC = 0xc0;
const ID_BYTES = 16;

class AwsError {
  constructor(
    readonly type: string,
    readonly message: string,
  ) {}
}

/**
 * Starts a fake of AWS KMS for the awskms seal: `TrentService.Encrypt`, `Decrypt` and
 * `DescribeKey`, real AES-256-GCM keys with rotation, aliases and ARNs, SigV4 checked against its
 * one credential, and AWS's error types (AccessDenied, Disabled, NotFound, InvalidCiphertext,
 * IncorrectKey, InvalidSignature for a wrong region or secret). Binds 127.0.0.1 only.
 */
export async function startAwsKmsFake(options: AwsKmsFakeOptions = {}): Promise<AwsKmsFake> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '111122223333';
  const accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(30).toString('base64');
  const keys: KeyRecord[] = [];
  const aliases = new Map<string, KeyRecord>();
  let denied = false;
  const arnPrefix = `arn:aws:kms:${region}:${accountId}:`;

  const find = (ref: string | undefined): KeyRecord => {
    if (ref === undefined) {
      const first = keys[0];
      if (!first) throw new Error('the AWS KMS fake has no key yet');
      return first;
    }
    const found = resolve(ref);
    if (!found)
      throw new AwsError(
        'NotFoundException',
        ref.includes('alias/') ? `Alias ${aliasArn(ref)} is not found.` : `Key '${keyArn(ref)}' does not exist`,
      );
    return found;
  };
  const resolve = (ref: string): KeyRecord | undefined => {
    const local = ref.startsWith(arnPrefix) ? ref.slice(arnPrefix.length) : ref.startsWith('arn:') ? undefined : ref;
    if (local === undefined) return undefined;
    if (local.startsWith('alias/')) return aliases.get(local);
    const id = local.startsWith('key/') ? local.slice(4) : local;
    return keys.find((k) => k.keyId === id);
  };
  const aliasArn = (ref: string) => (ref.startsWith('arn:') ? ref : `${arnPrefix}${ref}`);
  const keyArn = (ref: string) => (ref.startsWith('arn:') ? ref : `${arnPrefix}key/${ref}`);
  const usable = (key: KeyRecord) => {
    if (!key.material.enabled) throw new AwsError('DisabledException', `${key.arn} is disabled.`);
  };
  const checkDenied = (operation: string, resource: string) => {
    if (denied) {
      throw new AwsError(
        'AccessDeniedException',
        `User: arn:aws:iam::${accountId}:user/coffer is not authorized to perform: kms:${operation} on resource: ${resource} because no identity-based policy allows the kms:${operation} action`,
      );
    }
  };

  const operations: Record<string, (body: Record<string, unknown>) => Record<string, unknown>> = {
    Encrypt(body) {
      const ref = String(body['KeyId'] ?? '');
      checkDenied('Encrypt', aliasArn(ref));
      const key = find(ref);
      usable(key);
      const plaintext = Buffer.from(String(body['Plaintext'] ?? ''), 'base64');
      if (plaintext.length === 0 || plaintext.length > 4096)
        throw new AwsError('ValidationException', 'Plaintext must be 1 to 4096 bytes');
      const { version, sealed } = key.material.encrypt(plaintext, context(body));
      const header = Buffer.alloc(1 + ID_BYTES + 4);
      header[0] = MAGIC;
      Buffer.from(key.keyId.replace(/-/g, ''), 'hex').copy(header, 1);
      header.writeUInt32BE(version, 1 + ID_BYTES);
      return {
        CiphertextBlob: Buffer.concat([header, sealed]).toString('base64'),
        KeyId: key.arn,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    },
    Decrypt(body) {
      const blob = Buffer.from(String(body['CiphertextBlob'] ?? ''), 'base64');
      const invalid = new AwsError('InvalidCiphertextException', '');
      if (blob.length < 1 + ID_BYTES + 4 || blob[0] !== MAGIC) throw invalid;
      const hex = blob.subarray(1, 1 + ID_BYTES).toString('hex');
      const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      const owner = keys.find((k) => k.keyId === id);
      checkDenied('Decrypt', owner?.arn ?? keyArn(id));
      if (typeof body['KeyId'] === 'string') {
        const named = find(body['KeyId']);
        if (named !== owner) {
          throw new AwsError(
            'IncorrectKeyException',
            'The key ID in the request does not identify a CMK that can perform this operation.',
          );
        }
      }
      if (!owner) throw invalid;
      usable(owner);
      const plaintext = owner.material.decrypt(
        blob.readUInt32BE(1 + ID_BYTES),
        blob.subarray(1 + ID_BYTES + 4),
        context(body),
      );
      if (!plaintext) throw invalid;
      return { Plaintext: plaintext.toString('base64'), KeyId: owner.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
    DescribeKey(body) {
      const ref = String(body['KeyId'] ?? '');
      checkDenied('DescribeKey', aliasArn(ref));
      const key = find(ref);
      return {
        KeyMetadata: {
          AWSAccountId: accountId,
          KeyId: key.keyId,
          Arn: key.arn,
          CreationDate: key.created,
          Enabled: key.material.enabled,
          KeyState: key.material.enabled ? 'Enabled' : 'Disabled',
          KeyUsage: 'ENCRYPT_DECRYPT',
          KeySpec: 'SYMMETRIC_DEFAULT',
          KeyManager: 'CUSTOMER',
          Origin: 'AWS_KMS',
          EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
        },
      };
    },
  };

  const handle = (request: RecordedRequest): FakeReply => {
    const fail = (type: string, message: string, status = 400): FakeReply => ({
      status,
      body: { __type: type, message },
    });
    const target = String(request.headers['x-amz-target'] ?? '');
    const credential = sigV4Credential(request);
    if (!credential) return fail('MissingAuthenticationTokenException', 'Missing Authentication Token');
    if (credential.accessKeyId !== accessKeyId)
      return fail('UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (credential.region !== region)
      return fail(
        'InvalidSignatureException',
        `Credential should be scoped to a valid region, not '${credential.region}'.`,
      );
    if (!verifySigV4(request, secretAccessKey)) {
      return fail(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
    }
    const operation = operations[target.replace(/^TrentService\./, '')];
    const body = jsonBody(request);
    if (!target.startsWith('TrentService.') || !operation) return fail('UnknownOperationException', '');
    if (!body) return fail('SerializationException', 'Start of structure or map found where not expected.');
    try {
      return { status: 200, body: operation(body), headers: { 'x-amzn-requestid': randomUUID() } };
    } catch (error) {
      if (error instanceof AwsError) return fail(error.type, error.message);
      throw error;
    }
  };

  const server = await FakeHttpServer.start(handle, { contentType: 'application/x-amz-json-1.1' });
  return {
    endpoint: server.url,
    region,
    accountId,
    accessKeyId,
    secretAccessKey,
    requests: server.requests,
    createKey(createOptions = {}) {
      const keyId = randomUUID();
      const record: KeyRecord = {
        keyId,
        arn: `${arnPrefix}key/${keyId}`,
        material: new FakeAesKey(),
        created: Math.floor(Date.now() / 1000),
      };
      keys.push(record);
      if (createOptions.alias) aliases.set(createOptions.alias, record);
      return { keyId, arn: record.arn };
    },
    rotateKey: (key) => void find(key).material.rotate(),
    disableKey: (key) => void (find(key).material.enabled = false),
    enableKey: (key) => void (find(key).material.enabled = true),
    deny: () => void (denied = true),
    allow: () => void (denied = false),
    down: () => server.down(),
    up: () => server.up(),
    calls: (operation) => server.requests.filter((r) => r.headers['x-amz-target'] === `TrentService.${operation}`),
    close: () => server.close(),
  };
}

/** AWS binds the encryption context into the ciphertext: the same context must come back to decrypt. */
function context(body: Record<string, unknown>): Buffer {
  const given = body['EncryptionContext'];
  if (typeof given !== 'object' || given === null) return Buffer.alloc(0);
  const entries = Object.entries(given as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  return Buffer.from(JSON.stringify(entries));
}
