import { CofferError } from '@coffer/sdk';

/** One thing wrong with a seal stanza; `key` names the option (absent for the stanza as a whole). */
export interface SealConfigProblem {
  readonly key: string | undefined;
  readonly message: string;
}

/**
 * A seal stanza that cannot be used. `problems` lists every fault found, so the server config
 * parser can put each one on its line; the message joins them. Values are never quoted, only keys.
 */
export class SealConfigError extends CofferError {
  readonly sealType: string;
  readonly problems: readonly SealConfigProblem[];

  constructor(sealType: string, problems: readonly SealConfigProblem[]) {
    super('invalid_request', `seal "${sealType}": ${problems.map((p) => p.message).join('; ')}`);
    this.sealType = sealType;
    this.problems = Object.freeze([...problems]);
  }
}
