import type { EngineFactory } from '@coffer/sdk';
import { rotatedPolicy } from './key-factory.js';
import { latestKeyVersion, type KeyPolicy } from './key-policy.js';
import { KeyStore } from './key-store.js';
import { backupPaths } from './path-backup.js';
import { configKeysPaths } from './path-config-keys.js';
import { datakeyPaths } from './path-datakey.js';
import { decryptPaths } from './path-decrypt.js';
import { encryptPaths } from './path-encrypt.js';
import { exportPaths } from './path-export.js';
import { hmacPaths } from './path-hmac.js';
import { keysConfigPaths } from './path-keys-config.js';
import { keysPaths } from './path-keys.js';
import { randomHashPaths } from './path-random-hash.js';
import { rotateTrimPaths } from './path-rotate-trim.js';
import { signVerifyPaths } from './path-sign-verify.js';
import type { TransitContext } from './transit-context.js';

/**
 * The transit secrets engine: cryptography as a service with named keys that never leave the server
 * (unless made exportable), wire-compatible with Vault's transit. Key material lives in the mount's
 * storage, behind the barrier (layout in key-store.ts and policy-codec.ts).
 */
export const createTransitEngine: EngineFactory = (deps) => {
  const ctx: TransitContext = {
    keys: new KeyStore(deps.storage),
    storage: deps.storage,
    now: () => deps.system.now().getTime(),
    logger: deps.logger,
  };
  return {
    type: 'transit',
    paths: [
      ...configKeysPaths(ctx.storage),
      ...keysPaths(ctx),
      ...keysConfigPaths(ctx),
      ...rotateTrimPaths(ctx),
      ...encryptPaths(ctx),
      ...decryptPaths(ctx),
      ...datakeyPaths(ctx),
      ...signVerifyPaths(ctx),
      ...hmacPaths(ctx),
      ...exportPaths(ctx),
      ...backupPaths(ctx),
      ...randomHashPaths(),
    ],
    periodic: () => autoRotate(ctx),
  };
};

/**
 * Rotates every key whose latest version is older than its `auto_rotate_period`, as Vault's
 * periodic function does. One key failing does not stop the others; it is retried next time.
 */
export async function autoRotate(ctx: TransitContext): Promise<void> {
  for (const name of await ctx.keys.list()) {
    try {
      const policy = await ctx.keys.read(name);
      if (!policy || !due(policy, ctx.now())) continue;
      await ctx.keys.update(name, (current) =>
        current && due(current, ctx.now()) ? rotatedPolicy(current, ctx.now()) : undefined,
      );
      ctx.logger.debug({ key: name }, 'transit: rotated key automatically');
    } catch (error) {
      ctx.logger.warn({ err: error, key: name }, 'transit: automatic rotation failed; retried on the next run');
    }
  }
}

function due(policy: KeyPolicy, nowMs: number): boolean {
  return policy.autoRotatePeriod > 0 && nowMs > latestKeyVersion(policy).createdMs + policy.autoRotatePeriod * 1000;
}
