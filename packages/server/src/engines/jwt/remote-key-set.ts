import { createPublicKey } from 'node:crypto';
import { isPlainObject } from '@coffer/sdk';
import { describeNetworkError, type HttpJsonClient } from './http-json-client.js';
import type { VerificationKey } from './jwt-signature.js';

/** Where the keys come from: a JWKS URL, or an OIDC issuer whose discovery document names one. */
export type KeySource = { jwksUrl: string } | { discoveryUrl: string };

/** The identity provider could not be reached or answered nonsense; not the client's fault. */
export class KeySetUnavailable extends Error {
  override readonly name = 'KeySetUnavailable';
}

/** Keys are refreshed at least this often, so a provider's removed key stops verifying. */
const MAX_AGE_MS = 10 * 60_000;
/** After a refetch that still did not know a kid, further unknown kids wait this long before fetching again. */
const UNKNOWN_KID_COOLDOWN_MS = 10_000;

/**
 * A remote JWKS, cached and refetched when a token names a key id it does not know (providers
 * rotate keys by publishing the new one first). Concurrent fetches share one request, and a
 * cooldown after a fruitless refetch keeps a stream of tokens with bogus kids from turning into a
 * stream of requests to the provider.
 */
export class RemoteKeySet {
  readonly #source: KeySource;
  readonly #client: HttpJsonClient;
  readonly #now: () => Date;
  #keys: VerificationKey[] | undefined;
  #fetchedAt = 0;
  #cooldownUntil = 0;
  #inFlight: Promise<VerificationKey[]> | undefined;

  constructor(source: KeySource, client: HttpJsonClient, now: () => Date) {
    this.#source = source;
    this.#client = client;
    this.#now = now;
  }

  /** Fetches now (config writes check the source works). Throws KeySetUnavailable. */
  async load(): Promise<void> {
    await this.#refresh();
  }

  async keysFor(kid: string | undefined): Promise<readonly VerificationKey[]> {
    const now = this.#now().getTime();
    let keys = this.#keys && now - this.#fetchedAt < MAX_AGE_MS ? this.#keys : await this.#refreshOrStale(now);
    const known = (list: VerificationKey[]) => kid === undefined || list.some((k) => k.kid === kid);
    if (!known(keys) && now >= this.#cooldownUntil) {
      keys = await this.#refresh();
      if (!known(keys)) this.#cooldownUntil = this.#now().getTime() + UNKNOWN_KID_COOLDOWN_MS;
    }
    return kid === undefined ? keys : keys.filter((k) => k.kid === kid || k.kid === undefined);
  }

  /** A periodic refresh that fails keeps the keys we have (the provider may be briefly down) and retries later. */
  async #refreshOrStale(now: number): Promise<VerificationKey[]> {
    const stale = this.#keys;
    if (!stale) return this.#refresh();
    try {
      return await this.#refresh();
    } catch {
      this.#fetchedAt = now - MAX_AGE_MS + UNKNOWN_KID_COOLDOWN_MS;
      return stale;
    }
  }

  #refresh(): Promise<VerificationKey[]> {
    this.#inFlight ??= this.#fetchKeys().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #fetchKeys(): Promise<VerificationKey[]> {
    const url = 'jwksUrl' in this.#source ? this.#source.jwksUrl : await this.#discoverJwksUrl(this.#source.discoveryUrl);
    const body = await this.#getJson(url, 'JWKS');
    const entries = body.keys;
    if (!Array.isArray(entries)) throw new KeySetUnavailable(`JWKS at ${url} has no "keys" list`);
    const keys: VerificationKey[] = [];
    for (const jwk of entries) {
      if (!isPlainObject(jwk) || jwk.use === 'enc') continue;
      try {
        const key = createPublicKey({ key: jwk as never, format: 'jwk' });
        if (key.type !== 'public') continue;
        keys.push({ key, ...(typeof jwk.kid === 'string' ? { kid: jwk.kid } : {}), ...(typeof jwk.alg === 'string' ? { alg: jwk.alg } : {}) });
      } catch {
        // Providers publish key types we cannot use (e.g. symmetric); skip them as go-jose does.
      }
    }
    this.#keys = keys;
    this.#fetchedAt = this.#now().getTime();
    return keys;
  }

  /** OIDC discovery: the document's issuer must be the configured URL (as go-oidc insists), and name a jwks_uri. */
  async #discoverJwksUrl(issuer: string): Promise<string> {
    const doc = await this.#getJson(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, 'OIDC discovery document');
    if (doc.issuer !== issuer) {
      throw new KeySetUnavailable(`issuer did not match the issuer returned by provider, expected "${issuer}" got "${String(doc.issuer)}"`);
    }
    if (typeof doc.jwks_uri !== 'string' || doc.jwks_uri === '') throw new KeySetUnavailable('the OIDC discovery document has no jwks_uri');
    return doc.jwks_uri;
  }

  async #getJson(url: string, what: string): Promise<Record<string, unknown>> {
    let reply;
    try {
      reply = await this.#client.request({ method: 'GET', url });
    } catch (error) {
      throw new KeySetUnavailable(`cannot fetch the ${what} from ${url}: ${describeNetworkError(error)}`);
    }
    if (reply.status !== 200) throw new KeySetUnavailable(`cannot fetch the ${what} from ${url}: HTTP ${reply.status}`);
    if (!isPlainObject(reply.json)) throw new KeySetUnavailable(`the ${what} at ${url} is not a JSON object`);
    return reply.json;
  }
}
