import { createShamirSeal, type AutoSeal } from '@coffer/seal';
import { RECOVERY_KEY_AAD, ROOT_KEY_AAD, type SealStore } from './seal-store.js';

/**
 * Moves the stored keys to the configured seal, keeping the operators' shares: Shamir → auto makes
 * the key-encryption key the recovery key; auto → Shamir makes the recovery key the key-encryption
 * key; auto → auto rewraps both. Each step is idempotent and ordered so that a crash between any two
 * leaves keys that the old or the new seal can open with the same shares; running it again finishes.
 */
export async function completeMigration(
  store: SealStore,
  target: AutoSeal | undefined,
  secret: Buffer,
  rootKey: Buffer,
  quorum: { shares: number; threshold: number },
): Promise<void> {
  if (!target) {
    await store.writeRootKeyBlob(await createShamirSeal(secret).wrap(rootKey, { aad: ROOT_KEY_AAD }));
    await store.writeConfig({ type: 'shamir', secret_shares: quorum.shares, secret_threshold: quorum.threshold });
    await store.dropRecovery();
    return;
  }
  await store.writeRecoveryKeyBlob(await target.wrap(secret, { aad: RECOVERY_KEY_AAD }));
  await store.writeRecoveryConfig({ type: 'shamir', secret_shares: quorum.shares, secret_threshold: quorum.threshold });
  await store.writeRootKeyBlob(await target.wrap(rootKey, { aad: ROOT_KEY_AAD }));
  await store.writeConfig({ type: target.type, secret_shares: 1, secret_threshold: 1, stored_shares: 1 });
}
