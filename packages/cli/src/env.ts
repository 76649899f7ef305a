import { usageError } from './exit-codes.js';

/** The process environment as given to `runCli`; read once, here, and nowhere else. */
export type EnvRecord = Readonly<Record<string, string | undefined>>;

/** What the CLI takes from the environment. Coffer's names win over Vault's. */
export interface CliEnv {
  address?: string;
  token?: string;
  caCert?: string;
  wrapTtl?: string;
  skipVerify: boolean;
  format?: string;
  devRootTokenId?: string;
  devListenAddress?: string;
  /** Passed whole to the server's config loader, which has its own overrides (api_addr...). */
  raw: EnvRecord;
}

/** The first non-empty value among `names`. */
function pick(env: EnvRecord, ...names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** Go's strconv.ParseBool, which Vault uses for its boolean variables and flags. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

type StringSetting = Exclude<keyof CliEnv, 'skipVerify' | 'raw'>;

/** Each setting's variables, Coffer's name first. */
const VARIABLES: ReadonlyArray<readonly [StringSetting, readonly string[]]> = [
  ['address', ['COFFER_ADDR', 'VAULT_ADDR']],
  ['token', ['COFFER_TOKEN', 'VAULT_TOKEN']],
  ['caCert', ['COFFER_CACERT', 'VAULT_CACERT']],
  ['format', ['COFFER_FORMAT', 'VAULT_FORMAT']],
  ['wrapTtl', ['COFFER_WRAP_TTL', 'VAULT_WRAP_TTL']],
  ['devRootTokenId', ['COFFER_DEV_ROOT_TOKEN_ID', 'VAULT_DEV_ROOT_TOKEN_ID']],
  ['devListenAddress', ['COFFER_DEV_LISTEN_ADDRESS', 'VAULT_DEV_LISTEN_ADDRESS']],
];

export function readCliEnv(env: EnvRecord): CliEnv {
  const skip = pick(env, 'COFFER_SKIP_VERIFY', 'VAULT_SKIP_VERIFY');
  let skipVerify = false;
  if (skip !== undefined) {
    const parsed = parseGoBool(skip);
    const name = env.COFFER_SKIP_VERIFY ? 'COFFER_SKIP_VERIFY' : 'VAULT_SKIP_VERIFY';
    if (parsed === undefined) throw usageError(`could not parse ${name}: must be true or false`);
    skipVerify = parsed;
  }
  const cli: CliEnv = { skipVerify, raw: env };
  for (const [key, names] of VARIABLES) {
    const value = pick(env, ...names);
    if (value !== undefined) cli[key] = value;
  }
  return cli;
}
