import { CofferError } from '@coffer/sdk';
import { combine, split } from 'shamir-secret-sharing';

/** Vault's limits: a share's x-coordinate is one non-zero byte, so there can be at most 255. */
const MAX_SHARES = 255;

/**
 * Splits `secret` into `shares` key shares, any `threshold` of which rebuild it. Shares use Vault's
 * format (the secret's bytes evaluated at x, followed by the one-byte x-coordinate), so Vault's
 * tooling and ours can exchange them. 1-of-1 is Vault's "no split": the single share is the secret.
 */
export async function splitKey(secret: Uint8Array, shares: number, threshold: number): Promise<Uint8Array[]> {
  checkSplit(secret, shares, threshold);
  // Always hand back fresh memory: callers zero their secret as soon as we return.
  if (shares === 1) return [Uint8Array.from(secret)];
  // The library checks `value.constructor === Uint8Array`, which a Node Buffer fails; copy first.
  return split(Uint8Array.from(secret), shares, threshold);
}

/**
 * Rebuilds a secret from key shares. One share is taken to be the whole secret (1-of-1). Too few
 * shares cannot be detected here: they interpolate to a different secret, which the seal's
 * authenticated decryption then refuses.
 */
export async function combineShares(shares: Uint8Array[]): Promise<Uint8Array> {
  checkCombine(shares);
  const [first] = shares;
  if (shares.length === 1 && first) return Uint8Array.from(first);
  return combine(shares.map((share) => Uint8Array.from(share)));
}

function checkSplit(secret: Uint8Array, shares: number, threshold: number): void {
  if (!(secret instanceof Uint8Array) || secret.length === 0) {
    throw invalid('the secret to split must be a non-empty byte array');
  }
  if (!Number.isInteger(shares) || shares < 1) throw invalid('secret_shares must be at least 1');
  if (shares > MAX_SHARES) throw invalid(`secret_shares must be at most ${MAX_SHARES}`);
  if (!Number.isInteger(threshold) || threshold < 1) throw invalid('secret_threshold must be at least 1');
  if (threshold > shares) throw invalid('secret_threshold cannot be larger than secret_shares');
  if (threshold === 1 && shares > 1) {
    throw invalid('secret_threshold must be at least 2 when there is more than one share');
  }
}

function checkCombine(shares: Uint8Array[]): void {
  if (!Array.isArray(shares) || shares.length === 0) throw invalid('at least one key share is needed');
  if (shares.length > MAX_SHARES) throw invalid(`at most ${MAX_SHARES} key shares can be combined`);
  if (!shares.every((share) => share instanceof Uint8Array)) throw invalid('key shares must be byte arrays');
  if (shares.length === 1) {
    if ((shares[0]?.length ?? 0) === 0) throw invalid('the key share is empty');
    return;
  }
  const length = shares[0]?.length ?? 0;
  // One byte of x-coordinate plus at least one byte of secret.
  if (length < 2) throw invalid('key shares must be at least 2 bytes long');
  if (shares.some((share) => share.length !== length)) throw invalid('key shares must all have the same length');
  const seen = new Set<number>();
  for (const share of shares) {
    const x = share[length - 1] ?? 0;
    // x = 0 would be the secret itself, never a share: it marks a corrupted or foreign share.
    if (x === 0) throw invalid('a key share has an invalid share index (0)');
    if (seen.has(x)) throw invalid('two key shares have the same share index');
    seen.add(x);
  }
}

function invalid(message: string): CofferError {
  return new CofferError('invalid_request', message);
}
