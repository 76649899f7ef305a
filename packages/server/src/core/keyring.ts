import { randomBytes } from 'node:crypto';
import { CofferError } from '@coffer/sdk';

export interface KeyStatus {
  term: number;
  installTime: Date;
  encryptions: number;
}

interface TermKey {
  term: number;
  key: Buffer;
  installTime: Date;
  /** Encryptions recorded when the keyring was last written. */
  encryptions: number;
}

interface StoredKeyring {
  version: 1;
  rootKey: string;
  activeTerm: number;
  terms: { term: number; key: string; installTime: string; encryptions: number }[];
}

/**
 * The barrier's data keys by term, plus the root key that encrypts the keyring. Immutable apart from
 * the live encryption counter: rotation returns a new keyring so a failed write leaves the old one.
 */
export class Keyring {
  readonly #terms: Map<number, TermKey>;
  readonly rootKey: Buffer;
  readonly activeTerm: number;
  #encryptionsSinceLoad = 0;

  private constructor(rootKey: Buffer, terms: Map<number, TermKey>, activeTerm: number) {
    this.rootKey = rootKey;
    this.#terms = terms;
    this.activeTerm = activeTerm;
  }

  static create(rootKey: Uint8Array, now: Date): Keyring {
    const first: TermKey = { term: 1, key: randomBytes(32), installTime: now, encryptions: 0 };
    return new Keyring(Buffer.from(rootKey), new Map([[1, first]]), 1);
  }

  static decode(bytes: Uint8Array, rootKey: Uint8Array): Keyring {
    let stored: StoredKeyring;
    try {
      stored = JSON.parse(Buffer.from(bytes).toString('utf8')) as StoredKeyring;
    } catch (cause) {
      throw new CofferError('internal', 'barrier keyring is unreadable', { cause });
    }
    if (stored.version !== 1 || !Buffer.from(stored.rootKey, 'base64').equals(Buffer.from(rootKey))) {
      throw new CofferError('internal', 'barrier keyring does not match the root key');
    }
    const terms = new Map<number, TermKey>();
    for (const t of stored.terms) {
      terms.set(t.term, {
        term: t.term,
        key: Buffer.from(t.key, 'base64'),
        installTime: new Date(t.installTime),
        encryptions: t.encryptions,
      });
    }
    if (!terms.has(stored.activeTerm)) throw new CofferError('internal', 'barrier keyring has no active term');
    return new Keyring(Buffer.from(rootKey), terms, stored.activeTerm);
  }

  encode(): Buffer {
    const stored: StoredKeyring = {
      version: 1,
      rootKey: this.rootKey.toString('base64'),
      activeTerm: this.activeTerm,
      terms: [...this.#terms.values()].map((t) => ({
        term: t.term,
        key: t.key.toString('base64'),
        installTime: t.installTime.toISOString(),
        encryptions: t.term === this.activeTerm ? t.encryptions + this.#encryptionsSinceLoad : t.encryptions,
      })),
    };
    return Buffer.from(JSON.stringify(stored), 'utf8');
  }

  key(term: number): Uint8Array | undefined {
    return this.#terms.get(term)?.key;
  }

  countEncryption(): void {
    this.#encryptionsSinceLoad++;
  }

  withNewTerm(now: Date): Keyring {
    const terms = new Map<number, TermKey>();
    for (const [term, t] of this.#terms) {
      const encryptions = term === this.activeTerm ? t.encryptions + this.#encryptionsSinceLoad : t.encryptions;
      terms.set(term, { ...t, encryptions });
    }
    const next = this.activeTerm + 1;
    terms.set(next, { term: next, key: randomBytes(32), installTime: now, encryptions: 0 });
    return new Keyring(this.rootKey, terms, next);
  }

  status(): KeyStatus {
    const active = this.#terms.get(this.activeTerm) as TermKey;
    return {
      term: active.term,
      installTime: active.installTime,
      encryptions: active.encryptions + this.#encryptionsSinceLoad,
    };
  }

  /** Overwrites key material in memory when sealing. */
  destroy(): void {
    for (const t of this.#terms.values()) t.key.fill(0);
    this.rootKey.fill(0);
  }
}
