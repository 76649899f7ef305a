import { describe, expect, it } from 'vitest';
import { isRenewable, refreshAfterMs } from './lease-timing.js';
import type { SecretRecord } from './secret-value.js';

const settings = { defaultLeaseMs: 60_000, threshold: 0.9 };
const half = () => 0.5;
const record = (over: Partial<SecretRecord>): SecretRecord => ({ leaseId: '', leaseDuration: 0, renewable: false, data: {}, auth: undefined, ...over });

describe('refreshAfterMs (consul-template leaseCheckWait)', () => {
  it('re-reads a secret without a lease (KV) at the threshold of the static render interval', () => {
    expect(refreshAfterMs(record({}), settings, half)).toBe(54_000);
    // Staggered by ±5 %.
    expect(refreshAfterMs(record({}), settings, () => 0)).toBeCloseTo(51_000);
    expect(refreshAfterMs(record({}), settings, () => 1)).toBeCloseTo(57_000);
  });
  it('re-reads a non-renewable lease at 90 % of it', () => {
    expect(refreshAfterMs(record({ leaseId: 'x', leaseDuration: 100 }), settings, half)).toBe(90_000);
  });
  it('uses a certificate expiration, an AppRole secret_id_ttl, a rotating secret ttl', () => {
    const now = 1_000_000_000;
    expect(refreshAfterMs(record({ data: { certificate: 'c', expiration: now / 1000 + 200 } }), settings, half, now)).toBe(180_000);
    expect(refreshAfterMs(record({ data: { secret_id: 's', secret_id_ttl: 99 } }), settings, half)).toBe(90_000);
    expect(refreshAfterMs(record({ data: { rotation_period: 3600, ttl: 29 } }), settings, half)).toBe(30_000);
  });
  it('takes renewability from the token for auth responses', () => {
    expect(isRenewable(record({ renewable: true }))).toBe(true);
    expect(isRenewable(record({ renewable: true, auth: { leaseDuration: 5, renewable: false } }))).toBe(false);
  });
});
