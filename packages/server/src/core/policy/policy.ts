import type { Capability } from './capabilities.js';

/**
 * A parameter constraint: parameter name (lower-cased, as Vault matches them) → the values it may
 * (allowed) or may not (denied) take. An empty list means "any value"; `*` as a name stands for every
 * parameter. String values may start and/or end with `*` to match by prefix, suffix or substring.
 */
export type ParameterConstraints = ReadonlyMap<string, readonly unknown[]>;

/** One `path "<pattern>" { … }` block, validated. */
export interface PathRule {
  /** The pattern as written, without a leading `/`: exact, `*`-suffixed, or with `+` segments. */
  readonly pattern: string;
  /** The granted capabilities; just `["deny"]` when the block denies. May be empty (grants nothing). */
  readonly capabilities: readonly Capability[];
  readonly allowedParameters?: ParameterConstraints;
  readonly deniedParameters?: ParameterConstraints;
  readonly requiredParameters?: readonly string[];
  /** Seconds; 0 or absent means no bound. */
  readonly minWrappingTtl?: number;
  readonly maxWrappingTtl?: number;
  /** 1-based line of the block in the policy text, for messages. */
  readonly line?: number;
}

/** A named ACL policy: the result of `parsePolicy`, the input of `Acl`. */
export interface Policy {
  /** Lower-cased and trimmed, as Vault stores policy names. */
  readonly name: string;
  readonly rules: readonly PathRule[];
}

/**
 * The built-in `root` policy. It has no rules: an Acl that holds it allows everything, sudo
 * included. `parsePolicy` refuses the name `root`, so this constant is the only way to get one.
 */
export const ROOT_POLICY: Policy = Object.freeze({ name: 'root', rules: Object.freeze([]) });

/** Policy texts above this many bytes (UTF-8) are refused before parsing. */
export const MAX_POLICY_BYTES = 1024 * 1024;
/** Policies with more path blocks than this are refused. */
export const MAX_POLICY_PATHS = 10_000;
