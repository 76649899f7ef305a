import type { Logger, Storage } from '@coffer/sdk';
import type { KeyStore } from './key-store.js';

/** What every transit path needs: the mount's keys, its clock and its logger. */
export interface TransitContext {
  readonly keys: KeyStore;
  /** The mount's storage, for the few records that are not keys (config/keys). */
  readonly storage: Storage;
  /** Epoch milliseconds from the system view, so tests control time. */
  now(): number;
  readonly logger: Logger;
}
