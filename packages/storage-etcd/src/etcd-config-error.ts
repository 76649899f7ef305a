import { CofferError } from '@coffer/sdk';

/** One thing wrong with a `storage "etcd"` stanza; `key` names the option (absent for the stanza). */
export interface EtcdConfigProblem {
  readonly key: string | undefined;
  readonly message: string;
}

/**
 * A `storage "etcd"` stanza that cannot be used. `problems` lists every fault found so the server's
 * config parser can put each on its line; the message joins them. Values are never quoted, since
 * some (password) are secrets and others (addresses) are easy to name without repeating.
 */
export class EtcdConfigError extends CofferError {
  readonly problems: readonly EtcdConfigProblem[];

  constructor(problems: readonly EtcdConfigProblem[]) {
    super('invalid_request', `storage "etcd": ${problems.map((p) => p.message).join('; ')}`);
    this.problems = Object.freeze([...problems]);
  }
}
