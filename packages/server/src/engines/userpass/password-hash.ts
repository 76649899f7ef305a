import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { CofferError } from '@coffer/sdk';
import { KdfLimiter, type KdfLimits } from './kdf-limiter.js';

/** scrypt cost: N = 2^ln, block size r, parallelism p. Memory is 128·N·r bytes per run. */
export interface KdfParams {
  ln: number;
  r: number;
  p: number;
}

/**
 * OWASP's scrypt floor in its 32 MiB form (N=2^15, r=8, p=3; equivalent to N=2^17, r=8, p=1 at a
 * quarter of the memory), so a few runs in flight stay cheap in RAM. About 0.2 s per hash on one
 * core of the build machine. Stored hashes record their parameters, so these can be raised later.
 */
export const DEFAULT_KDF_PARAMS: KdfParams = { ln: 15, r: 8, p: 3 };
export const DEFAULT_KDF_LIMITS: KdfLimits = { maxConcurrent: 2, maxQueued: 32 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds on parameters read back from storage: a corrupt record must not demand gigabytes. */
const LIMITS = { ln: [10, 20], r: [1, 32], p: [1, 16] } as const;

/**
 * Hashes and checks passwords with scrypt, in the PHC-like form
 * `$scrypt$ln=15,r=8,p=3$<salt>$<key>` (unpadded base64). All KDF work goes through one limiter.
 */
export class PasswordHasher {
  readonly #params: KdfParams;
  readonly #limiter: KdfLimiter;
  /** Stands in for the record of a user that does not exist: same parameters, so the same work. */
  readonly #dummy: string;

  constructor(params: KdfParams = DEFAULT_KDF_PARAMS, limiter: KdfLimiter = new KdfLimiter(DEFAULT_KDF_LIMITS)) {
    checkParams(params);
    this.#params = params;
    this.#limiter = limiter;
    this.#dummy = format(params, randomBytes(SALT_BYTES), randomBytes(KEY_BYTES));
  }

  get limiter(): KdfLimiter {
    return this.#limiter;
  }

  async hash(password: string, signal?: AbortSignal): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await this.#derive(password, salt, this.#params, KEY_BYTES, signal);
    return format(this.#params, salt, key);
  }

  /**
   * True when the password matches. Without a stored hash (unknown user) the same KDF work is done
   * against a dummy record and the answer is false, so response time does not tell whether a user
   * exists.
   */
  async verify(password: string, stored: string | undefined, signal?: AbortSignal): Promise<boolean> {
    const parsed = parse(stored ?? this.#dummy);
    const key = await this.#derive(password, parsed.salt, parsed.params, parsed.key.length, signal);
    return timingSafeEqual(key, parsed.key) && stored !== undefined;
  }

  #derive(password: string, salt: Buffer, params: KdfParams, length: number, signal: AbortSignal | undefined): Promise<Buffer> {
    const N = 2 ** params.ln;
    // Node refuses runs above maxmem (32 MiB by default); allow what the parameters need, plus slack.
    const maxmem = 128 * N * params.r + 16 * 1024 * 1024;
    return this.#limiter.run(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          scrypt(password, salt, length, { N, r: params.r, p: params.p, maxmem }, (error, key) => {
            if (error) reject(new CofferError('internal', 'internal error', { cause: error }));
            else resolve(key);
          });
        }),
      signal,
    );
  }
}

function format(params: KdfParams, salt: Buffer, key: Buffer): string {
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

function parse(encoded: string): { params: KdfParams; salt: Buffer; key: Buffer } {
  const match = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([\w-]+)\$([\w-]+)$/.exec(encoded);
  if (!match) throw corrupt();
  const params = { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  checkParams(params);
  const salt = Buffer.from(match[4] as string, 'base64url');
  const key = Buffer.from(match[5] as string, 'base64url');
  if (salt.length < SALT_BYTES || key.length < KEY_BYTES) throw corrupt();
  return { params, salt, key };
}

function checkParams(params: KdfParams): void {
  for (const name of ['ln', 'r', 'p'] as const) {
    const [min, max] = LIMITS[name];
    const value = params[name];
    if (!Number.isInteger(value) || value < min || value > max) throw corrupt();
  }
}

function corrupt(): CofferError {
  return new CofferError('internal', 'internal error', { cause: new Error('userpass password hash is malformed') });
}
