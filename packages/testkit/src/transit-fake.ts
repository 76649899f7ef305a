import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FakeHttpServer, jsonBody, type FakeReply, type RecordedRequest } from './fake-http-server.js';
import { FakeAesKey } from './fake-keys.js';
import type { TestCertificates } from './tls.js';

export interface TransitFakeOptions {
  /** Where the transit engine is mounted (default `transit`). */
  mountPath?: string;
  /** TTL reported by `auth/token/renew-self`, in seconds (default 3600); 0 means a token that does not expire. */
  tokenTtlSeconds?: number;
  /** Serve https with these. */
  certificates?: TestCertificates;
}

/** A fake of a Coffer/Vault transit engine's encrypt/decrypt endpoints; see startTransitFake. */
export interface TransitFake {
  /** `http(s)://127.0.0.1:<port>`: the seal's `address`. */
  readonly address: string;
  /** The one token the fake accepts. */
  readonly token: string;
  readonly mountPath: string;
  readonly requests: readonly RecordedRequest[];
  createKey(name: string): void;
  /** A new key version, used for new encryptions; returns it. */
  rotateKey(name?: string): number;
  /**
   * Transit keys cannot be disabled in Vault; the nearest thing is min_decryption_version past every
   * version, which is what this sets (decrypt then fails "disallowed by policy").
   */
  disableKey(name?: string): void;
  enableKey(name?: string): void;
  /** Every call gets 403 permission denied until `allow()`. */
  deny(): void;
  allow(): void;
  /** Answers 503 "Vault is sealed" until `unseal()`. */
  seal(): void;
  unseal(): void;
  down(): Promise<void>;
  up(): Promise<void>;
  /** Resolves once `count` token renewals have been received. */
  waitForRenewals(count: number): Promise<void>;
  close(): Promise<void>;
}

interface TransitKey {
  material: FakeAesKey;
  minDecryptionVersion: number;
}

const CIPHERTEXT = /^vault:v(\d+):([A-Za-z0-9+/]+={0,2})$/;

/**
 * Starts a fake of the transit engine's wire format (as the transit seal uses it):
 * `POST /v1/<mount>/encrypt/<key>` (`plaintext` base64 → `vault:v<N>:<base64>`),
 * `POST /v1/<mount>/decrypt/<key>`, and `POST /v1/auth/token/renew-self`, with `X-Vault-Token`
 * checked and Vault's `{"errors":[...]}` replies. Binds 127.0.0.1 only.
 */
export async function startTransitFake(options: TransitFakeOptions = {}): Promise<TransitFake> {
  const mountPath = (options.mountPath ?? 'transit').replace(/^\/+|\/+$/g, '');
  const ttl = options.tokenTtlSeconds ?? 3600;
  const token = `hvs.${randomBytes(18).toString('base64url')}`;
  const keys = new Map<string, TransitKey>();
  let denied = false;
  let sealed = false;

  const errors = (status: number, ...messages: string[]): FakeReply => ({ status, body: { errors: messages } });
  const ok = (data: Record<string, unknown>): FakeReply => ({
    status: 200,
    body: {
      request_id: randomBytes(8).toString('hex'),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data,
      wrap_info: null,
      warnings: null,
      auth: null,
    },
  });

  const handle = (request: RecordedRequest): FakeReply => {
    if (sealed) return errors(503, 'Vault is sealed');
    if (request.headers['x-vault-token'] !== token || denied) return errors(403, 'permission denied');
    if (request.method !== 'POST') return errors(405, 'unsupported operation');
    if (request.path === '/v1/auth/token/renew-self') {
      return {
        status: 200,
        body: {
          auth: {
            client_token: token,
            accessor: 'fake',
            policies: ['default', 'seal'],
            lease_duration: ttl,
            renewable: ttl > 0,
          },
        },
      };
    }
    const prefix = `/v1/${mountPath}/`;
    const route = request.path.startsWith(prefix)
      ? /^(encrypt|decrypt)\/([^/]+)$/.exec(request.path.slice(prefix.length))
      : null;
    if (!route) return errors(404, `no handler for route "${request.path.slice(4)}". route entry not found.`);
    const body = jsonBody(request) ?? {};
    const key = keys.get(decodeURIComponent(route[2] as string));
    if (!key) return errors(400, 'encryption key not found');
    if (route[1] === 'encrypt') {
      if (typeof body['plaintext'] !== 'string') return errors(400, 'missing plaintext to encrypt');
      const { version, sealed: payload } = key.material.encrypt(
        Buffer.from(body['plaintext'], 'base64'),
        Buffer.alloc(0),
      );
      return ok({ ciphertext: `vault:v${version}:${payload.toString('base64')}`, key_version: version });
    }
    const match = CIPHERTEXT.exec(String(body['ciphertext'] ?? ''));
    if (!match) return errors(400, 'invalid ciphertext: no prefix');
    const version = Number(match[1]);
    if (version > key.material.latest) return errors(400, 'invalid ciphertext: invalid key version');
    if (version < key.minDecryptionVersion)
      return errors(400, 'ciphertext or signature version is disallowed by policy (too old)');
    const plaintext = key.material.decrypt(version, Buffer.from(match[2] as string, 'base64'), Buffer.alloc(0));
    if (!plaintext) return errors(400, 'cipher: message authentication failed');
    return ok({ plaintext: plaintext.toString('base64') });
  };

  const tls = options.certificates
    ? {
        key: await readFile(options.certificates.keyFile, 'utf8'),
        cert: await readFile(options.certificates.certFile, 'utf8'),
      }
    : undefined;
  const server = await FakeHttpServer.start(handle, tls ? { tls } : {});
  const find = (name?: string): TransitKey => {
    const key = name === undefined ? keys.values().next().value : keys.get(name);
    if (!key) throw new Error(`the transit fake has no key ${name ?? ''}`);
    return key;
  };
  return {
    address: server.url,
    token,
    mountPath,
    requests: server.requests,
    createKey: (name) => void keys.set(name, { material: new FakeAesKey(), minDecryptionVersion: 1 }),
    rotateKey: (name) => find(name).material.rotate(),
    disableKey: (name) => void (find(name).minDecryptionVersion = find(name).material.latest + 1),
    enableKey: (name) => void (find(name).minDecryptionVersion = 1),
    deny: () => void (denied = true),
    allow: () => void (denied = false),
    seal: () => void (sealed = true),
    unseal: () => void (sealed = false),
    down: () => server.down(),
    up: () => server.up(),
    waitForRenewals: async (count) =>
      void (await server.waitForRequests((r) => r.path === '/v1/auth/token/renew-self', count)),
    close: () => server.close(),
  };
}
