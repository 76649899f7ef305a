import { parseDurationSeconds } from '@coffer/sdk';
import { InvalidArgumentError, type Command } from 'commander';
import { ResponseError, TransportError } from '../api-error.js';
import type { Context } from '../context.js';
import { EXIT, remoteError, usageError } from '../exit-codes.js';
import { goValue } from '../go-format.js';
import { fileSources, parseKvArgs } from '../kv-builder.js';
import { listTable, mapTable, secretJson, secretTable, toJson, warningsText } from '../output.js';
import { readAll } from '../prompt.js';
import { dataOf, type Secret } from '../secret.js';

export type Action = (...args: unknown[]) => Promise<number>;

/** Registers an action whose result is the exit code of the run. */
export function action(ctx: Context, command: Command, run: Action): Command {
  return command.action(async (...args: unknown[]) => {
    ctx.exitCode = await run(...args);
  });
}

/** The options object commander passes as the second-to-last action argument. */
export function optionsOf<T>(args: unknown[]): T {
  return args[args.length - 2] as T;
}

/**
 * Runs an API call and words a failure as Vault does: `<what>: <error>` with exit 2. Anything
 * else (a usage error, a bug) passes through.
 */
export async function api<T>(what: string | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    return rethrow(what, error);
  }
}

/** An API or transport failure as a remote CliError; any other error unchanged. */
export function rethrow(what: string | undefined, error: unknown): never {
  if (error instanceof ResponseError || error instanceof TransportError) {
    throw remoteError(what === undefined ? error.message : `${what}: ${error.message}`);
  }
  throw error;
}

/** Vault's OutputSecret: warnings then the Key/Value table, or the whole envelope as JSON. */
export function printSecret(ctx: Context, secret: Secret, options: { showToken: boolean } = { showToken: false }): number {
  if (ctx.format === 'json') {
    ctx.out(secretJson(secret, options));
    return EXIT.ok;
  }
  const warnings = warningsText(secret);
  if (warnings) ctx.err(warnings);
  const text = secretTable(secret, options);
  if (text) ctx.out(text);
  return EXIT.ok;
}

/** Vault's OutputData for a map: a Key/Value table or the map as JSON. */
export function printData(ctx: Context, data: Record<string, unknown>): number {
  if (ctx.format === 'json') ctx.out(toJson(data));
  else {
    const text = mapTable(data);
    if (text) ctx.out(text);
  }
  return EXIT.ok;
}

/**
 * Vault's list output: the `keys` as a table or a JSON array. Nothing there is exit 2, with `{}`
 * in JSON and a message in table form.
 */
export function printList(ctx: Context, secret: Secret | undefined, path: string): number {
  const keys = dataOf(secret)?.keys;
  const list = Array.isArray(keys) ? keys.map(String) : undefined;
  if (ctx.format === 'json') {
    ctx.out(toJson(list ?? {}));
    return list ? EXIT.ok : EXIT.remote;
  }
  if (!secret) throw remoteError(`No value found at ${path}`);
  if (!list) throw remoteError(`No entries found at ${path}`);
  const warnings = warningsText(secret);
  if (warnings) ctx.err(warnings);
  const text = listTable(list);
  if (text) ctx.out(text);
  return EXIT.ok;
}

/**
 * Vault's `-field`: the one value, raw. A newline follows only on a terminal, so `$(...)` and
 * pipes get exactly the value.
 */
export function printField(ctx: Context, value: unknown, field: string, what: string): number {
  if (value === undefined || value === null) throw usageError(`Field "${field}" not present in ${what}`);
  const text = ctx.format === 'json' ? JSON.stringify(value, null, 2) : goValue(value);
  const tty = (ctx.io.stdout as { isTTY?: boolean }).isTTY === true;
  ctx.io.stdout.write(tty ? `${text}\n` : text);
  return EXIT.ok;
}

/** Vault's RawSecretField: auth fields, the envelope's own fields, else a data key. */
export function secretField(secret: Secret, field: string): unknown {
  const auth = secret.auth;
  const data = dataOf(secret) ?? {};
  if (auth) {
    const fromAuth: Record<string, unknown> = {
      token: auth.client_token,
      token_accessor: auth.accessor,
      token_duration: auth.lease_duration,
      token_renewable: auth.renewable,
      token_policies: auth.token_policies,
      identity_policies: auth.identity_policies,
      policies: auth.policies,
    };
    return field in fromAuth ? fromAuth[field] : data[field];
  }
  const own: Record<string, unknown> = {
    lease_duration: secret.lease_duration,
    lease_id: secret.lease_id,
    request_id: secret.request_id,
    renewable: secret.renewable,
    refresh_interval: secret.lease_duration,
    data: 'data' in data ? data.data : data,
  };
  return field in own ? own[field] : data[field];
}

/** Vault's sanitizePath: trimmed, no leading or trailing slash. */
export function sanitizePath(path: string): string {
  return path.trim().replace(/^\/+/, '').replace(/\/+$/, '');
}

export function ensureTrailingSlash(path: string): string {
  return path === '' || path.endsWith('/') ? path : `${path}/`;
}

/** `k=v` arguments as request data (see kv-builder.ts), reading `-` and `@file` as Vault does. */
export function parseData(ctx: Context, args: readonly string[]): Promise<Record<string, unknown>> {
  return parseKvArgs(args, fileSources(() => readAll(ctx.io.stdin)));
}

/** Repeatable `-flag=value` options collect into a list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Repeatable `-flag=k=v` options collect into a map. */
export function collectMap(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const equals = value.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError('must be key=value');
  return { ...(previous ?? {}), [value.slice(0, equals)]: value.slice(equals + 1) };
}

/** An integer flag value (Go's strconv.Atoi). */
export function integer(name: string): (value: string) => number {
  return (value) => {
    if (!/^[-+]?\d+$/.test(value.trim())) throw new InvalidArgumentError(`-${name} must be an integer.`);
    return Number(value);
  };
}

/**
 * A duration flag (Vault's DurationVar: `30s`, `5m`, `1h30m`, or bare seconds), checked here so a
 * typo is a usage error (exit 1) before any request; the value is whole seconds.
 */
export function duration(name: string): (value: string) => number {
  return (value) => {
    try {
      return parseDurationSeconds(value, `-${name}`);
    } catch {
      throw new InvalidArgumentError(`-${name} must be a duration such as 30s, 5m or 1h30m.`);
    }
  };
}
