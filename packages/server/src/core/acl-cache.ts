import type { Operation } from '@coffer/sdk';

/** What the pipeline needs of an ACL. */
export interface AclCheck {
  path: string;
  operation: Operation;
  data: Record<string, unknown>;
  needsSudo: boolean;
}

export interface AclLike {
  check(request: AclCheck): { allowed: boolean; reason?: string };
  capabilities(path: string): string[];
}

/** Gives the ACL for a token's policy set; implementations cache and invalidate on policy change. */
export type AclSource = (policies: readonly string[]) => Promise<AclLike>;
