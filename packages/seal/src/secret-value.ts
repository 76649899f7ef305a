const REDACTED = '[redacted]';

/**
 * A secret read from a seal stanza (a KMS secret key, a client secret, a token, a static key).
 * Parsed configs are handed around and logged by mistake sooner or later; this wrapper prints as
 * `[redacted]` through String(), JSON.stringify() and util.inspect(), and gives the value only to
 * code that asks for it by name.
 */
export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `SecretValue(${REDACTED})`;
  }
}
