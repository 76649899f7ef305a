/** vault-k8s's prefix: existing manifests work unchanged. */
export const VAULT_PREFIX = 'vault.hashicorp.com/';
/** Coffer's own spelling of every annotation. */
export const COFFER_PREFIX = 'coffer.dev/';

/** The annotation the injector writes; always with vault-k8s's prefix, which tooling looks for. */
export const STATUS_ANNOTATION = `${VAULT_PREFIX}agent-inject-status`;

/** One annotation as the pod spelled it. */
export interface Annotation {
  /** The full key as written, for messages. */
  key: string;
  value: string;
}

/**
 * The pod's injector annotations, indexed by the name after the prefix. When both spellings of
 * one annotation are present the `coffer.dev/` one wins: it is the more specific intent.
 */
export class PodAnnotations {
  readonly #byName = new Map<string, Annotation>();

  constructor(annotations: Readonly<Record<string, string>> | undefined) {
    for (const [key, value] of Object.entries(annotations ?? {})) {
      if (typeof value !== 'string') continue;
      if (key.startsWith(VAULT_PREFIX)) {
        const name = key.slice(VAULT_PREFIX.length);
        if (!this.#byName.has(name)) this.#byName.set(name, { key, value });
      } else if (key.startsWith(COFFER_PREFIX)) {
        this.#byName.set(key.slice(COFFER_PREFIX.length), { key, value });
      }
    }
  }

  get(name: string): Annotation | undefined {
    return this.#byName.get(name);
  }

  /** The value, or undefined when the annotation is absent. */
  value(name: string): string | undefined {
    return this.#byName.get(name)?.value;
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** Every annotation name (without prefix) present. */
  names(): string[] {
    return [...this.#byName.keys()];
  }

  /** The full key to show in a message: as the pod wrote it, else vault-k8s's spelling. */
  keyOf(name: string): string {
    return this.#byName.get(name)?.key ?? `${VAULT_PREFIX}${name}`;
  }
}
