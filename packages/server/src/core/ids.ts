import { randomBytes, randomUUID } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Uniform random base62 text (rejection sampling, so no character is more likely than another). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A service token as Vault hands them out: `hvs.` and 24 base62 characters (143 bits). */
export const newServiceToken = (): string => `hvs.${randomBase62(24)}`;
export const newAccessor = (): string => randomBase62(24);
export const newUuid = (): string => randomUUID();
/** Mount accessors look like `kv_0d071af0`. */
export const newMountAccessor = (type: string): string => `${type}_${randomBytes(4).toString('hex')}`;
