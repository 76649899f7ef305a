import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT, usageError } from '../exit-codes.js';
import { wrapAtLength } from '../go-format.js';
import type { Secret } from '../secret.js';
import { writeTokenFile } from '../token-file.js';
import { LOGIN_METHODS, loginMount } from './login-methods.js';
import { action, optionsOf, parseData, printField, printSecret, sanitizePath, secretField } from './shared.js';

interface LoginOptions {
  method: string;
  path?: string;
  /** commander's `--no-store` sets store: false. */
  store: boolean;
  print: boolean;
  tokenOnly?: boolean;
  field?: string;
}

/** `k=v` config as strings, the way Vault's parseArgsDataString reads it. */
async function loginConfig(ctx: Context, args: readonly string[]): Promise<Record<string, string>> {
  const data = await parseData(ctx, args);
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string') throw usageError(`Error parsing configuration: "${key}" is given more than once`);
    config[key] = value;
  }
  return config;
}

/**
 * `login [-method=TYPE] [-path=MOUNT] [TOKEN | K=V...]`: authenticates, stores the token in
 * ~/.coffer-token (unless -no-store) and prints Vault's login table. Secrets (token, password,
 * secret ID) are never printed back except the new token a method hands out.
 */
export function registerLoginCommand(program: Command, ctx: Context): void {
  action(
    ctx,
    program
      .command('login')
      .description('Authenticate and store the token for later commands')
      .usage('[options] [TOKEN | K=V...]')
      .argument('[config...]', 'a token (method token, "-" for stdin), or K=V settings such as username=alice')
      .option('--method <type>', 'auth method type: token, userpass or approle', 'token')
      .option('--path <mount>', 'where the method is mounted (under auth/); the type by default')
      .option('--no-store', 'do not store the token; only print it')
      .option('--no-print', 'store the token but print nothing')
      .option('--token-only', 'print only the token and store nothing (-field=token -no-store)')
      .option('--field <name>', 'print only this field, raw (e.g. token)'),
    async (...args) => {
      let positional = args[0] as string[];
      const o = optionsOf<LoginOptions>(args);
      const noStore = o.tokenOnly === true || !o.store;
      const field = o.tokenOnly ? 'token' : o.field;
      if (noStore && !o.print) throw usageError('-no-store and -no-print cannot be used together');
      const methodName = sanitizePath(o.method) || 'token';
      const method = LOGIN_METHODS[methodName];
      if (!method) {
        throw usageError(
          wrapAtLength(
            `Unknown auth method: ${methodName}. Use "coffer auth list" to see the enabled auth methods; ` +
              `the CLI logs in with ${Object.keys(LOGIN_METHODS).join(', ')}.`,
          ),
        );
      }
      // As Vault: a lone argument without "=" is the token of the token method.
      const [first, ...rest] = positional;
      if (methodName === 'token' && first !== undefined && !first.includes('=')) positional = [`token=${first}`, ...rest];
      if (!noStore && ctx.io.homeDir === undefined) throw usageError('Error storing token: no home directory to keep it in');

      const config = await loginConfig(ctx, positional);
      const client = await ctx.client({ token: false });
      const secret = await method.authenticate({ ctx, client, config, mount: loginMount(config, o.path, methodName) });
      const token = secret.auth?.client_token ?? '';

      if (!noStore) {
        try {
          await writeTokenFile(ctx.io.homeDir as string, token);
        } catch (error) {
          ctx.err(`Error storing token: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
          ctx.err(wrapAtLength('Authentication was successful, but the token was not stored. It is shown below for your records.') + '\n');
          printSecret(ctx, secret, { showToken: true });
          return EXIT.remote;
        }
        if (ctx.env.token !== undefined) {
          ctx.err(
            wrapAtLength(
              'WARNING! The COFFER_TOKEN (or VAULT_TOKEN) environment variable is set! Its value takes ' +
                'precedence over the stored token; unset it to use the token stored by this login.',
            ) + '\n',
          );
        }
      } else if (!o.tokenOnly) {
        ctx.err(
          wrapAtLength(
            'The token was not stored in the token file. Set the COFFER_TOKEN environment variable or pass ' +
              'the token below with each request to Coffer.',
          ) + '\n',
        );
      }
      if (!o.print) return EXIT.ok;
      if (field !== undefined) return printField(ctx, secretField(secret, field), field, 'secret');
      return printLogin(ctx, secret, { stored: !noStore, showToken: method.showsToken });
    },
  );
}

/** Vault's "Success!" prose (table output only), then the auth block as a table or JSON. */
function printLogin(ctx: Context, secret: Secret, options: { stored: boolean; showToken: boolean }): number {
  if (ctx.format === 'table') {
    // Vault says "already stored" even with -no-store; here the claim is made only when true.
    const stored = options.stored
      ? ' The token information displayed below is already stored in the token file. You do NOT need to run ' +
        '"coffer login" again. Future Coffer requests will automatically use this token.'
      : '';
    ctx.out(wrapAtLength(`Success! You are now authenticated.${stored}`) + '\n');
  }
  return printSecret(ctx, secret, { showToken: options.showToken });
}
