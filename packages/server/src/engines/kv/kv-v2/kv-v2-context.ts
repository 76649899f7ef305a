import type { Logger } from '@coffer/sdk';
import type { KeyedLock } from '../../../util/keyed-lock.js';
import type { KvStore } from './kv-store.js';

/** What every KV v2 path needs: its records, the per-secret lock and the mount's clock. */
export interface KvV2Context {
  readonly store: KvStore;
  /** Per secret path: writers are exclusive, so check-and-set and version numbering are atomic. */
  readonly locks: KeyedLock;
  /** Epoch milliseconds from the system view, so tests control time. */
  now(): number;
  readonly logger: Logger;
}
