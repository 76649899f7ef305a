import { createHash } from 'node:crypto';
import type { Logger } from '@coffer/sdk';
import { VaultResponseError, type VaultClient } from '../client/vault-client.js';
import { isDeletedKvV2, probeKvMount, shimKvV2Path, type KvMount } from './kv-shim.js';
import { goSecretOf, recordOf, type SecretRecord } from './secret-value.js';

export interface FetchContext {
  client: VaultClient;
  token: string;
  logger: Logger;
}

export interface Fetched {
  /** What the template function returns: a *Secret, a list of keys, or nil. */
  value: unknown;
  /** The lease facts, for reads and writes that returned a secret. */
  record: SecretRecord | undefined;
  /** The token in an auth response (a token-creating write), to renew it by. */
  clientToken: string | undefined;
}

/** A template's Vault call: `secret "p"` (read), `secret "p" "k=v"` (write), `secrets "p"` (list). */
export class VaultDependency {
  readonly key: string;
  #kv: KvMount | undefined;

  private constructor(
    readonly kind: 'read' | 'write' | 'list',
    readonly path: string,
    readonly query: Record<string, string>,
    readonly data: Record<string, string>,
  ) {
    this.key = kind === 'write' ? `write(${path} -> ${dataHash(data)})` : `${kind}(${path}${queryText(query)})`;
  }

  static read(spec: string): VaultDependency {
    const { path, query } = splitQuery(cleanPath(spec, 'vault.read'));
    return new VaultDependency('read', path, query, {});
  }

  static write(spec: string, data: Record<string, string>): VaultDependency {
    return new VaultDependency('write', cleanPath(spec, 'vault.write'), {}, data);
  }

  static list(spec: string): VaultDependency {
    return new VaultDependency('list', cleanPath(spec, 'vault.list'), {}, {});
  }

  /** consul-template's name for it in logs: `vault.read(secret/app)`; write data is only hashed. */
  toString(): string {
    return `vault.${this.key}`;
  }

  async fetch(ctx: FetchContext): Promise<Fetched> {
    this.#kv ??= await probeKvMount(ctx.client, ctx.token, this.path, ctx.logger);
    const kv = this.#kv;
    if (this.kind === 'list') return this.#list(ctx, kv);
    if (this.kind === 'write') return this.#write(ctx, kv);
    const path = kv.isV2 ? shimKvV2Path(this.path, kv.mountPath) : this.path;
    let response: unknown;
    try {
      response = await ctx.client.request({ method: 'GET', path, token: ctx.token, query: this.query });
    } catch (error) {
      if (error instanceof VaultResponseError && error.status === 404) throw new Error(`no secret exists at ${path}`);
      throw error;
    }
    if (response === undefined || isDeletedKvV2(response)) throw new Error(`no secret exists at ${path}`);
    return fetched(response);
  }

  async #write(ctx: FetchContext, kv: KvMount): Promise<Fetched> {
    const path = kv.isV2 ? shimKvV2Path(this.path, kv.mountPath) : this.path;
    const body = kv.isV2 ? { data: this.data } : this.data;
    const response = await ctx.client.request({ method: 'PUT', path, token: ctx.token, body });
    // A KV v1 write answers 204: the template gets nil, as in consul-template.
    if (response === undefined) return { value: null, record: undefined, clientToken: undefined };
    return fetched(response);
  }

  async #list(ctx: FetchContext, kv: KvMount): Promise<Fetched> {
    const path = kv.isV2 ? shimKvV2Path(this.path, kv.mountPath, 'metadata') : this.path;
    let response: unknown;
    try {
      response = await ctx.client.request({ method: 'LIST', path, token: ctx.token });
    } catch (error) {
      if (error instanceof VaultResponseError && error.status === 404) return { value: [], record: undefined, clientToken: undefined };
      throw error;
    }
    const keys = (response as { data?: { keys?: unknown } } | undefined)?.data?.keys;
    if (keys === undefined) return { value: [], record: undefined, clientToken: undefined };
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw new Error(`${this}: unexpected response`);
    return { value: [...(keys as string[])].sort(), record: undefined, clientToken: undefined };
  }
}

function fetched(response: unknown): Fetched {
  const token = (response as { auth?: { client_token?: unknown } }).auth?.client_token;
  return { value: goSecretOf(response), record: recordOf(response), clientToken: typeof token === 'string' ? token : undefined };
}

function cleanPath(spec: string, what: string): string {
  const path = spec.trim().replace(/^\/+|\/+$/g, '');
  if (path === '') throw new Error(`${what}: invalid format: ${JSON.stringify(spec)}`);
  return path;
}

/** `secret/app?version=2`: the query is passed on to the read. */
function splitQuery(spec: string): { path: string; query: Record<string, string> } {
  const at = spec.indexOf('?');
  if (at < 0) return { path: spec, query: {} };
  return { path: spec.slice(0, at), query: Object.fromEntries(new URLSearchParams(spec.slice(at + 1))) };
}

function queryText(query: Record<string, string>): string {
  const entries = Object.entries(query);
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
}

function dataHash(data: Record<string, string>): string {
  const hash = createHash('sha1');
  for (const key of Object.keys(data).sort()) hash.update(`${key}=${JSON.stringify(data[key])}`);
  return hash.digest('hex').slice(0, 8);
}
