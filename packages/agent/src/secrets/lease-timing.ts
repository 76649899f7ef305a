import type { SecretRecord } from './secret-value.js';

export interface TimingSettings {
  /** static_secret_render_interval: the "lease" of secrets that have none (KV). */
  defaultLeaseMs: number;
  /** lease_renewal_threshold (0.9). */
  threshold: number;
}

/**
 * consul-template's leaseCheckWait for secrets that are not renewed: how long to keep a secret
 * before fetching it again. The base is the lease (or the token's, for auth responses); without
 * one (KV) it is the static render interval. Certificates without a lease use their expiration,
 * AppRole secret IDs their secret_id_ttl, rotating secrets their ttl. The wait is the threshold
 * (0.9) of the base, staggered by ±5 % so many agents do not ask at once.
 */
export function refreshAfterMs(secret: SecretRecord, settings: TimingSettings, random: () => number = Math.random, now = Date.now()): number {
  let baseSec = secret.auth && secret.auth.leaseDuration > 0 ? secret.auth.leaseDuration : secret.leaseDuration;
  const data = secret.data;
  const noLease = secret.leaseId === '';
  if (noLease && 'certificate' in data && typeof data.expiration === 'number') baseSec = data.expiration - now / 1000;
  if (noLease && 'secret_id' in data && typeof data.secret_id_ttl === 'number' && data.secret_id_ttl > 0) baseSec = data.secret_id_ttl + 1;
  let rotating = false;
  if (noLease && 'rotation_period' in data && typeof data.ttl === 'number' && data.ttl > 0) {
    baseSec = data.ttl + 1;
    rotating = true;
  }
  const baseMs = baseSec > 0 ? baseSec * 1000 : settings.defaultLeaseMs;
  if (rotating) return baseMs;
  let fraction = settings.threshold + (random() - 0.5) * 0.1;
  if (fraction >= 1 || fraction <= 0) fraction = settings.threshold;
  return baseMs * fraction;
}

/** consul-template's vaultSecretRenewable: the token's flag for auth responses, else the lease's. */
export function isRenewable(secret: SecretRecord): boolean {
  return secret.auth ? secret.auth.renewable : secret.renewable;
}
