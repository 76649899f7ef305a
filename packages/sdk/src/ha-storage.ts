import type { Storage } from './storage.js';

/** What the leader advertises: where clients (api) and other nodes (cluster) reach it. */
export interface LeaderInfo {
  /** A per-process id, unique across restarts. */
  id: string;
  apiAddr: string;
  clusterAddr: string;
}

/**
 * Leadership held by this node. Every write that must only happen while leading goes through
 * `storage`, whose writes are fenced: once leadership is lost (lease expired, resigned, or this
 * process was paused past its TTL), they fail and change nothing, even if they were already on
 * their way. `lost` fires as soon as the loss is noticed.
 */
export interface Leadership {
  readonly lost: AbortSignal;
  readonly storage: Storage;
  /** Gives leadership up at once (step-down, shutdown); other nodes may take over immediately. */
  resign(): Promise<void>;
}

/**
 * Storage that can also elect one active node among many (etcd). A node campaigns; the promise
 * resolves when it leads, or rejects when `signal` aborts. Only one node leads at a time.
 */
export interface HAStorage extends Storage {
  readonly haEnabled: true;
  campaign(node: LeaderInfo, signal: AbortSignal): Promise<Leadership>;
  /** The current leader (one read, from any member that answers), or undefined when there is none. */
  leader(): Promise<LeaderInfo | undefined>;
  /** Calls `onChange` whenever the leader changes (or disappears); returns a function that stops watching. */
  watchLeader(onChange: (leader: LeaderInfo | undefined) => void): () => void;
}

export function isHAStorage(storage: Storage): storage is HAStorage {
  return (storage as Partial<HAStorage>).haEnabled === true;
}
