import { randomBytes } from 'node:crypto';
import { createSeal, parseSealConfig, type AutoSeal, type AutoSealConfig } from '@coffer/seal';
import type { AwsKmsFake, GcpKmsFake } from '@coffer/testkit';

/** Real seals from their stanza options, exactly as the server builds them from its config. */
export async function sealFrom(type: 'awskms' | 'gcpckms' | 'static', options: Record<string, unknown>): Promise<AutoSeal> {
  return createSeal(type, parseSealConfig(type, options, {}) as AutoSealConfig);
}

export const staticKey = (): string => randomBytes(32).toString('hex');

export const staticSeal = (key: string, id = 'k1'): Promise<AutoSeal> =>
  sealFrom('static', { current_key_id: id, current_key: key });

export const awsSeal = (fake: AwsKmsFake): Promise<AutoSeal> =>
  sealFrom('awskms', {
    region: 'eu-west-1',
    kms_key_id: 'alias/coffer-unseal',
    endpoint: fake.endpoint,
    access_key: fake.accessKeyId,
    secret_key: fake.secretAccessKey,
  });

export const gcpSeal = (fake: GcpKmsFake, credentialsFile: string): Promise<AutoSeal> =>
  sealFrom('gcpckms', {
    project: 'coffer-test',
    region: 'europe-west1',
    key_ring: 'coffer',
    crypto_key: 'unseal',
    endpoint: fake.endpoint,
    credentials: credentialsFile,
  });

/** Polls until `check` passes: waits for an event, never asserts on time. */
export async function eventually(check: () => Promise<boolean> | boolean, what: string, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}
