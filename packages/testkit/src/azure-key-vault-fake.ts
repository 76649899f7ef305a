import {
  constants,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FakeHttpServer, jsonBody, type FakeReply, type RecordedRequest } from './fake-http-server.js';
import { createTestCertificates, type TestCertificates } from './tls.js';

export interface AzureKeyVaultFakeOptions {
  /** Serve with these; by default a fresh test CA and certificate are made. */
  certificates?: TestCertificates;
}

/** A Key Vault (keys) and Microsoft Entra ID (token) fake over https; see startAzureKeyVaultFake. */
export interface AzureKeyVaultFake {
  /** `https://127.0.0.1:<port>`: the seal's `vault_url`. */
  readonly vaultUrl: string;
  /** The same server's token endpoint root: the seal's `authority_host`. */
  readonly authorityHost: string;
  /** PEM file of the CA that signed the server certificate: the seal's `tls_ca_cert`. */
  readonly caFile: string;
  /** The one client the token endpoint accepts. */
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly requests: readonly RecordedRequest[];
  /** A new RSA-2048 key; returns its first version. */
  createKey(name: string): Promise<string>;
  /** A new version, which becomes the latest; returns it. */
  rotateKey(name?: string): Promise<string>;
  /** Disables (or enables) every version of the key. */
  disableKey(name?: string): void;
  enableKey(name?: string): void;
  /** Key operations get 403 Forbidden until `allow()`. */
  deny(): void;
  allow(): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

interface KeyVersion {
  version: string;
  privateKey: KeyObject;
  jwk: { n?: string; e?: string };
  created: number;
}

interface KeyRecord {
  versions: KeyVersion[];
  enabled: boolean;
}

const KEY_PATH = /^\/keys\/([^/]+)(?:\/([^/]*))?(?:\/(wrapkey|unwrapkey))?\/?$/;
const HASHES: Readonly<Record<string, string>> = { 'RSA-OAEP-256': 'sha256', 'RSA-OAEP': 'sha1' };

/**
 * Starts a fake of Azure Key Vault's key API and of the Entra ID token endpoint, on one https
 * server with a CA made at test time. Key Vault requests without a token it issued get the 401
 * bearer challenge the SDK expects; `GET /keys/{name}/{version}`, `wrapkey` and `unwrapkey` work
 * with real RSA keys (RSA-OAEP-256 and RSA-OAEP), versions and Key Vault's error bodies.
 */
export async function startAzureKeyVaultFake(options: AzureKeyVaultFakeOptions = {}): Promise<AzureKeyVaultFake> {
  const certificates = options.certificates ?? (await createTestCertificates());
  const [key, cert] = await Promise.all([
    readFile(certificates.keyFile, 'utf8'),
    readFile(certificates.certFile, 'utf8'),
  ]);
  const tenantId = randomUUID();
  const clientId = randomUUID();
  const clientSecret = `${randomBytes(6).toString('hex')}~${randomBytes(18).toString('base64url')}`;
  const tokens = new Set<string>();
  const keys = new Map<string, KeyRecord>();
  let denied = false;
  let base = '';

  const error = (status: number, code: string, message: string, inner?: string): FakeReply => ({
    status,
    body: { error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } },
  });

  const token = (request: RecordedRequest, tenant: string): FakeReply => {
    const form = new URLSearchParams(request.body);
    if (tenant !== tenantId)
      return {
        status: 400,
        body: { error: 'invalid_request', error_description: `AADSTS90002: Tenant '${tenant}' not found.` },
      };
    if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
      return {
        status: 401,
        body: {
          error: 'invalid_client',
          error_description:
            'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
        },
      };
    }
    const accessToken = randomBytes(24).toString('base64url');
    tokens.add(accessToken);
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken },
    };
  };

  const keyOperation = (
    request: RecordedRequest,
    name: string,
    versionId: string,
    operation: string | undefined,
  ): FakeReply => {
    const action = operation === 'wrapkey' ? 'wrapKey' : operation === 'unwrapkey' ? 'unwrapKey' : 'get';
    if (denied) {
      return error(
        403,
        'Forbidden',
        `Caller is not authorized to perform action on resource. Action: 'Microsoft.KeyVault/vaults/keys/${action}/action'`,
        'ForbiddenByRbac',
      );
    }
    const record = keys.get(name);
    const version = versionId ? record?.versions.find((v) => v.version === versionId) : record?.versions.at(-1);
    if (!record || !version) {
      return error(
        404,
        'KeyNotFound',
        `A key with (name/id) ${versionId ? `${name}/${versionId}` : name} was not found in this key vault.`,
      );
    }
    if (!record.enabled)
      return error(403, 'Forbidden', `Operation ${action} is not allowed on a disabled key.`, 'KeyDisabled');
    const kid = `${base}/keys/${name}/${version.version}`;
    if (!operation) {
      if (request.method !== 'GET') return error(405, 'BadParameter', 'Method not allowed.');
      return {
        status: 200,
        body: {
          key: {
            kid,
            kty: 'RSA',
            key_ops: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
            n: version.jwk.n,
            e: version.jwk.e,
          },
          attributes: {
            enabled: true,
            created: version.created,
            updated: version.created,
            recoveryLevel: 'Recoverable+Purgeable',
          },
        },
      };
    }
    const body = jsonBody(request);
    const hash = HASHES[String(body?.['alg'])];
    if (request.method !== 'POST' || !body || !hash || typeof body['value'] !== 'string') {
      return error(
        400,
        'BadParameter',
        'The request body must name a supported alg (RSA-OAEP-256, RSA-OAEP) and a base64url value.',
      );
    }
    const value = Buffer.from(body['value'], 'base64url');
    const padding = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash };
    try {
      const result =
        operation === 'wrapkey'
          ? publicEncrypt({ key: version.privateKey, ...padding }, value)
          : privateDecrypt({ key: version.privateKey, ...padding }, value);
      return { status: 200, body: { kid, value: result.toString('base64url') } };
    } catch {
      return error(400, 'BadParameter', 'The parameter is incorrect.');
    }
  };

  const handle = (request: RecordedRequest): FakeReply => {
    const discovery = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(request.path);
    if (discovery) {
      const root = `${base}/${discovery[1]}`;
      return {
        status: 200,
        body: {
          token_endpoint: `${root}/oauth2/v2.0/token`,
          issuer: `${root}/v2.0`,
          authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
          jwks_uri: `${root}/discovery/v2.0/keys`,
        },
      };
    }
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(request.path);
    if (tokenPath && request.method === 'POST') return token(request, tokenPath[1] as string);
    const match = KEY_PATH.exec(request.path);
    if (!match) return error(404, 'NotFound', 'No route.');
    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    if (!bearer || !tokens.has(bearer)) {
      return {
        status: 401,
        headers: {
          'www-authenticate': `Bearer authorization="${base}/${tenantId}", resource="https://vault.azure.net"`,
        },
        body: { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
      };
    }
    return keyOperation(request, match[1] as string, match[2] ?? '', match[3]);
  };

  const server = await FakeHttpServer.start(handle, { tls: { key, cert } });
  base = `https://127.0.0.1:${server.port}`;
  const find = (name?: string): KeyRecord => {
    const record = name === undefined ? keys.values().next().value : keys.get(name);
    if (!record) throw new Error(`the Azure Key Vault fake has no key ${name ?? ''}`);
    return record;
  };
  const addVersion = (record: KeyRecord): string => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    const version = randomBytes(16).toString('hex');
    record.versions.push({
      version,
      privateKey,
      jwk: { ...(jwk.n ? { n: jwk.n } : {}), ...(jwk.e ? { e: jwk.e } : {}) },
      created: Math.floor(Date.now() / 1000),
    });
    return version;
  };

  return {
    vaultUrl: base,
    authorityHost: base,
    caFile: certificates.caFile,
    tenantId,
    clientId,
    clientSecret,
    requests: server.requests,
    async createKey(name) {
      const record: KeyRecord = { versions: [], enabled: true };
      keys.set(name, record);
      return addVersion(record);
    },
    rotateKey: async (name) => addVersion(find(name)),
    disableKey: (name) => void (find(name).enabled = false),
    enableKey: (name) => void (find(name).enabled = true),
    deny: () => void (denied = true),
    allow: () => void (denied = false),
    down: () => server.down(),
    up: () => server.up(),
    close: () => server.close(),
  };
}
