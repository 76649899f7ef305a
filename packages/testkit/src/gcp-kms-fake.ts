import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeHttpServer, jsonBody, type FakeReply, type RecordedRequest } from './fake-http-server.js';
import { FakeAesKey } from './fake-keys.js';
import { GoogleAuthChecker } from './gcp-auth-checker.js';

export interface GcpKmsFakeOptions {
  project?: string;
}

/** A Cloud KMS REST fake; see startGcpKmsFake. */
export interface GcpKmsFake {
  /** `http://127.0.0.1:<port>`: the seal's `endpoint`. */
  readonly endpoint: string;
  readonly project: string;
  readonly requests: readonly RecordedRequest[];
  /** A crypto key with version 1 as primary; returns its resource name. */
  createKey(options: { keyRing: string; cryptoKey: string; location?: string }): string;
  /** Adds a version and makes it primary; returns the new version number. */
  rotateKey(name?: string): number;
  /** Disables (or enables) every version of the key. */
  disableKey(name?: string): void;
  enableKey(name?: string): void;
  /** Writes a service-account key file the fake trusts (self-signed JWTs); returns its path. */
  createServiceAccount(): Promise<string>;
  /** An opaque access token the fake accepts, for an explicit OAuth2Client. */
  issueAccessToken(): string;
  /** Every call gets 403 PERMISSION_DENIED until `allow()`. */
  deny(): void;
  allow(): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

const KEY_NAME = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/:]+$/;
const MAGIC = 0xc1;

/**
 * Starts a fake of the Cloud KMS REST API (what @google-cloud/kms sends in `fallback` mode):
 * `POST /v1/{cryptoKey}:encrypt`, `:decrypt` and `GET /v1/{cryptoKey}`, real AES-256-GCM
 * versions with a primary, bearer tokens checked (self-signed service-account JWTs, or tokens it
 * issued), and Google's error bodies. Binds 127.0.0.1 only.
 */
export async function startGcpKmsFake(options: GcpKmsFakeOptions = {}): Promise<GcpKmsFake> {
  const project = options.project ?? 'coffer-test';
  const keys = new Map<string, FakeAesKey>();
  const auth = new GoogleAuthChecker();
  let denied = false;
  let dir: string | undefined;

  const error = (code: number, status: string, message: string): FakeReply => ({
    status: code,
    body: { error: { code, message, status } },
  });
  const versionName = (name: string, version: number) => `${name}/cryptoKeyVersions/${version}`;

  const handle = (request: RecordedRequest): FakeReply => {
    if (request.path === '/token' && request.method === 'POST') return auth.exchange(request);
    if (!auth.accepts(request)) {
      return error(
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    }
    const match = /^\/v1\/(.+?)(?::(encrypt|decrypt))?$/.exec(decodeURIComponent(request.path));
    const name = match?.[1] ?? '';
    const method = match?.[2];
    if (!KEY_NAME.test(name) || (method ? request.method !== 'POST' : request.method !== 'GET')) {
      return error(404, 'NOT_FOUND', 'The requested URL was not found on this server.');
    }
    if (denied) {
      const permission = method === 'decrypt' ? 'useToDecrypt' : method === 'encrypt' ? 'useToEncrypt' : 'get';
      return error(
        403,
        'PERMISSION_DENIED',
        `Permission 'cloudkms.cryptoKey${method ? 'Versions' : 's'}.${permission}' denied on resource '${name}' (or it may not exist).`,
      );
    }
    const key = keys.get(name);
    if (!key) return error(404, 'NOT_FOUND', `CryptoKey ${name} not found.`);
    const notEnabled = (version: number) =>
      error(400, 'FAILED_PRECONDITION', `${versionName(name, version)} is not enabled, current state is: DISABLED.`);
    if (!method) {
      return {
        status: 200,
        body: {
          name,
          purpose: 1, // ENCRYPT_DECRYPT (enum-encoding=int)
          primary: {
            name: versionName(name, key.latest),
            state: key.enabled ? 1 : 2,
            protectionLevel: 1,
            algorithm: 1,
          },
        },
      };
    }
    const body = jsonBody(request);
    const aad = Buffer.concat([
      Buffer.from(name),
      Buffer.from(String(body?.['additionalAuthenticatedData'] ?? ''), 'base64'),
    ]);
    if (method === 'encrypt') {
      const plaintext = Buffer.from(String(body?.['plaintext'] ?? ''), 'base64');
      if (plaintext.length === 0) return error(400, 'INVALID_ARGUMENT', 'Plaintext is required.');
      if (!key.enabled) return notEnabled(key.latest);
      const { version, sealed } = key.encrypt(plaintext, aad);
      const header = Buffer.alloc(5);
      header[0] = MAGIC;
      header.writeUInt32BE(version, 1);
      return {
        status: 200,
        body: {
          name: versionName(name, version),
          ciphertext: Buffer.concat([header, sealed]).toString('base64'),
          protectionLevel: 1,
        },
      };
    }
    const ciphertext = Buffer.from(String(body?.['ciphertext'] ?? ''), 'base64');
    const invalid = error(400, 'INVALID_ARGUMENT', 'Decryption failed: the ciphertext is invalid.');
    if (ciphertext.length < 5 || ciphertext[0] !== MAGIC) return invalid;
    const version = ciphertext.readUInt32BE(1);
    if (!key.enabled && version <= key.latest) return notEnabled(version);
    const plaintext = key.decrypt(version, ciphertext.subarray(5), aad);
    if (!plaintext) return invalid;
    return {
      status: 200,
      body: { plaintext: plaintext.toString('base64'), usedPrimary: version === key.latest, protectionLevel: 1 },
    };
  };

  const server = await FakeHttpServer.start(handle);
  const find = (name?: string): FakeAesKey => {
    const key = name === undefined ? keys.values().next().value : keys.get(name);
    if (!key) throw new Error(`the GCP KMS fake has no key ${name ?? ''}`);
    return key;
  };
  return {
    endpoint: server.url,
    project,
    requests: server.requests,
    createKey({ keyRing, cryptoKey, location = 'global' }) {
      const name = `projects/${project}/locations/${location}/keyRings/${keyRing}/cryptoKeys/${cryptoKey}`;
      keys.set(name, new FakeAesKey());
      return name;
    },
    rotateKey: (name) => find(name).rotate(),
    disableKey: (name) => void (find(name).enabled = false),
    enableKey: (name) => void (find(name).enabled = true),
    async createServiceAccount() {
      dir ??= await mkdtemp(join(tmpdir(), 'coffer-gcp-fake-'));
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const keyId = randomBytes(20).toString('hex');
      const email = `coffer-${randomBytes(3).toString('hex')}@${project}.iam.gserviceaccount.com`;
      auth.trust(keyId, email, publicKey);
      const file = join(dir, `${keyId}.json`);
      const content = {
        type: 'service_account',
        project_id: project,
        private_key_id: keyId,
        private_key: privateKey.export({ format: 'pem', type: 'pkcs8' }),
        client_email: email,
        client_id: String(BigInt(`0x${randomBytes(8).toString('hex')}`)),
        auth_uri: `${server.url}/auth`,
        token_uri: `${server.url}/token`,
      };
      await writeFile(file, JSON.stringify(content), { mode: 0o600 });
      return file;
    },
    issueAccessToken: () => auth.issue(),
    deny: () => void (denied = true),
    allow: () => void (denied = false),
    down: () => server.down(),
    up: () => server.up(),
    close: () => server.close(),
  };
}
