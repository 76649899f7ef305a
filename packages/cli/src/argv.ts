import { parseGoBool } from './env.js';

/** Boolean flags by long name, so `-name=false` can be turned into what commander understands. */
export interface BooleanFlags {
  /** Flags such as `--orphan`. */
  positive: ReadonlySet<string>;
  /** Flags with a `--no-<name>` form, such as `--no-renewable`. */
  negatable: ReadonlySet<string>;
}

const SINGLE_DASH_LONG = /^-[A-Za-z][A-Za-z0-9-]+(?:=[\s\S]*)?$/;
const DOUBLE_DASH_VALUE = /^--([A-Za-z][A-Za-z0-9-]*)=([\s\S]*)$/;

/**
 * Vault's CLI parses flags with Go's `flag` package: `-flag=value`, `-flag value` and `--flag`
 * are the same thing, and booleans take `=true`/`=false`. Commander reads `-abc` as three short
 * flags and refuses values on booleans, so the arguments are rewritten first:
 * `-format=json` → `--format=json`, `-orphan=true` → `--orphan`, `-renewable=false` →
 * `--no-renewable`. A lone `-` (stdin) and everything after `--` are left alone.
 */
export function normaliseArgv(args: readonly string[], booleans: BooleanFlags): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const long = SINGLE_DASH_LONG.test(arg) ? `-${arg}` : arg;
    const match = DOUBLE_DASH_VALUE.exec(long);
    if (match) {
      const [, name, value] = match as unknown as [string, string, string];
      const isBoolean = booleans.positive.has(name) || booleans.negatable.has(name);
      const flag = isBoolean ? parseGoBool(value) : undefined;
      if (flag !== undefined) {
        if (flag && booleans.positive.has(name)) out.push(`--${name}`);
        if (!flag && booleans.negatable.has(name)) out.push(`--no-${name}`);
        // Otherwise the value asked for is the default: nothing to pass.
        continue;
      }
    }
    out.push(long);
  }
  return out;
}
