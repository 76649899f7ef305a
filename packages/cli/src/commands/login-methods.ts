import type { ApiClient } from '../client.js';
import type { Context } from '../context.js';
import { remoteError, usageError } from '../exit-codes.js';
import { promptHidden } from '../prompt.js';
import { dataOf, isRecord, type Secret } from '../secret.js';
import { api, sanitizePath } from './shared.js';

/** What a login method gets: the CLI's context, a client without a token, and the `k=v` config. */
export interface LoginRequest {
  ctx: Context;
  client: ApiClient;
  config: Record<string, string>;
  /** Where the method is mounted, without `auth/` and slashes: `userpass`, `approle`, `my-users`. */
  mount: string;
}

export interface LoginMethod {
  /** Auth methods' answers are the only copy of a new token; a token the user typed is not echoed. */
  showsToken: boolean;
  authenticate(request: LoginRequest): Promise<Secret>;
}

const failed = 'Error authenticating';

/** A login response that carries no `auth` block cannot be used; Vault calls that a bug. */
function withAuth(secret: Secret | undefined): Secret {
  if (!secret?.auth) {
    throw remoteError(
      `${failed}: the server answered without authentication information; this should never happen and is likely a bug.`,
    );
  }
  return secret;
}

/** A value from config, or a hidden prompt on stderr (as Vault's handlers prompt), never echoed. */
async function secretValue(ctx: Context, config: Record<string, string>, key: string, question: string): Promise<string> {
  const given = config[key];
  if (given !== undefined && given !== '') return given;
  return promptHidden(ctx.io.stdin, ctx.io.stderr, question);
}

/** `token`: checks the token with lookup-self and reports it as an auth block (Vault's token CLIHandler). */
const tokenMethod: LoginMethod = {
  showsToken: false,
  async authenticate({ ctx, client, config }) {
    const token = (await secretValue(ctx, config, 'token', 'Token (will be hidden): ')).trim();
    if (token === '') throw usageError(`${failed}: the token is empty`);
    const lookup = await api(failed, () => client.withToken(token).read('auth/token/lookup-self'));
    const data = dataOf(lookup);
    if (!data) throw remoteError(`${failed}: empty response from lookup-self`);
    const policies = Array.isArray(data.policies) ? data.policies.map(String) : [];
    const meta = isRecord(data.meta) ? data.meta : undefined;
    return {
      auth: {
        client_token: token,
        accessor: String(data.accessor ?? ''),
        policies,
        token_policies: policies,
        ...(meta ? { metadata: Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, String(v)])) } : {}),
        lease_duration: typeof data.ttl === 'number' ? data.ttl : 0,
        renewable: data.renewable === true,
      },
    };
  },
};

/** `userpass`: PUT auth/<mount>/login/<username> with the password, prompted when not given. */
const userpassMethod: LoginMethod = {
  showsToken: true,
  async authenticate({ ctx, client, config, mount }) {
    const username = config.username?.trim() ?? '';
    if (username === '') throw usageError(`${failed}: 'username' must be specified`);
    const password = await secretValue(ctx, config, 'password', 'Password (will be hidden): ');
    if (password === '') throw usageError(`${failed}: the password is empty`);
    return withAuth(await api(failed, () => client.write(`auth/${mount}/login/${username}`, { password })));
  },
};

/**
 * `approle`: PUT auth/<mount>/login with the RoleID and, when the role binds one, a secret ID.
 * Vault's CLI has no such handler (one uses `vault write auth/approle/login`); this is that write.
 */
const approleMethod: LoginMethod = {
  showsToken: true,
  async authenticate({ client, config, mount }) {
    const roleId = config.role_id?.trim() ?? '';
    if (roleId === '') throw usageError(`${failed}: 'role_id' must be specified`);
    const secretId = config.secret_id?.trim();
    const body = { role_id: roleId, ...(secretId ? { secret_id: secretId } : {}) };
    return withAuth(await api(failed, () => client.write(`auth/${mount}/login`, body)));
  },
};

export const LOGIN_METHODS: Readonly<Record<string, LoginMethod>> = {
  token: tokenMethod,
  userpass: userpassMethod,
  approle: approleMethod,
};

/** The mount: `mount=` in the config, else `-path`, else the method's type (Vault's order). */
export function loginMount(config: Record<string, string>, path: string | undefined, method: string): string {
  return sanitizePath(config.mount || path || method);
}
