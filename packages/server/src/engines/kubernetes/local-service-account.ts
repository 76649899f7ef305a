import { readFile } from 'node:fs/promises';

/** Where Kubernetes mounts a pod's own service-account token and the cluster CA. */
export const LOCAL_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const LOCAL_CA_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';

export interface LocalServiceAccountPaths {
  tokenPath: string;
  caPath: string;
}

/**
 * The pod's own service-account token and cluster CA, used when the config gives none (Coffer
 * running in the cluster it authenticates). Files are cached and re-read as Vault does: the token
 * every minute (projected tokens rotate), the CA every hour. A missing file is simply absent.
 */
export class LocalServiceAccount {
  readonly #token: CachedFile;
  readonly #ca: CachedFile;

  constructor(paths: LocalServiceAccountPaths, now: () => Date) {
    this.#token = new CachedFile(paths.tokenPath, 60_000, now);
    this.#ca = new CachedFile(paths.caPath, 3_600_000, now);
  }

  async token(): Promise<string | undefined> {
    return (await this.#token.read())?.trim() || undefined;
  }

  async caCert(): Promise<string | undefined> {
    return (await this.#ca.read())?.trim() || undefined;
  }
}

class CachedFile {
  readonly #path: string;
  readonly #ttlMs: number;
  readonly #now: () => Date;
  #cache: { value: string | undefined; until: number } | undefined;

  constructor(path: string, ttlMs: number, now: () => Date) {
    this.#path = path;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  async read(): Promise<string | undefined> {
    const now = this.#now().getTime();
    if (this.#cache && now < this.#cache.until) return this.#cache.value;
    let value: string | undefined;
    try {
      value = await readFile(this.#path, 'utf8');
    } catch {
      value = undefined;
    }
    this.#cache = { value, until: now + this.#ttlMs };
    return value;
  }
}
