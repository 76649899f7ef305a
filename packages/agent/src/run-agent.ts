import { unlink, writeFile } from 'node:fs/promises';
import type { Logger } from '@coffer/sdk';
import { AuthFailedError, AutoAuth, type TokenGrant } from './auth/auto-auth.js';
import { describeError } from './client/error-kinds.js';
import { VaultClient } from './client/vault-client.js';
import type { AgentConfig, AutoAuthConfig } from './config/agent-config.js';
import { TemplateRunner } from './render/template-runner.js';
import { TemplateServer } from './render/template-server.js';
import { checkSinkWritable, writeTokenSink } from './sink/file-sink.js';

export interface RunAgentOptions {
  logger: Logger;
  /** Aborting it shuts the agent down (SIGINT/SIGTERM); runAgent then resolves 0. */
  signal?: AbortSignal;
  /** What templates' `env` sees and commands run with (default: this process's environment). */
  env?: NodeJS.ProcessEnv;
  /** For tests: the randomness in backoff, grace periods and staggering. */
  random?: () => number;
}

/**
 * Runs the agent until it is stopped (sidecar) or, with exit_after_auth, until it has logged in,
 * written its sinks and rendered every template once (init container). Resolves to the exit code:
 * 0, or 1 when something could not be done (every reason is logged first).
 */
export async function runAgent(config: AgentConfig, options: RunAgentOptions): Promise<number> {
  const { logger } = options;
  for (const warning of config.warnings) logger.warn(warning);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let fatal: Error | undefined;
  const failHard = (error: Error) => {
    fatal ??= error;
    stop.abort();
  };
  try {
    if (config.pidFile !== undefined) await writeFile(config.pidFile, `${process.pid}\n`);
    const auth = config.autoAuth;
    if (!auth) throw new Error('no auto_auth stanza: nothing to authenticate with');
    for (const sink of auth.sinks) {
      await checkSinkWritable(sink).catch((error: Error) => {
        throw new Error(`file sink ${sink.path} is not writable: ${error.message}`);
      });
    }
    const client = await VaultClient.create(config.vault);
    const env = options.env ?? process.env;
    const runners: TemplateRunner[] = [];
    for (const template of config.templates) runners.push(await TemplateRunner.create(template, logger.child({ component: 'template' }), env));
    const templates = new TemplateServer(runners, {
      client,
      logger: logger.child({ component: 'template' }),
      settings: config.templateConfig,
      numRetries: config.vault.numRetries,
      onFatal: failHard,
      ...(options.random ? { random: options.random } : {}),
    });
    // A shutdown also cuts short fetches that are waiting to retry.
    stop.signal.addEventListener('abort', () => templates.stop(), { once: true });
    const autoAuth = new AutoAuth(client, auth, logger.child({ component: 'auth' }), stop.signal, options.random);
    logger.info({ address: config.vault.address, method: auth.method.type, templates: runners.length, exit_after_auth: config.exitAfterAuth }, 'agent started');
    try {
      if (config.exitAfterAuth) await runOnce(autoAuth, auth, templates, logger);
      else await runSidecar(autoAuth, auth, templates, logger, stop.signal);
    } finally {
      templates.stop();
    }
    if (fatal) throw fatal;
    logger.info('agent stopped');
    return 0;
  } catch (error) {
    const reason = fatal ?? error;
    logger.error({ error: describeError(reason) }, reason instanceof AuthFailedError ? 'authentication failed; exiting (exit_on_err)' : 'agent failed');
    return 1;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (config.pidFile !== undefined) await unlink(config.pidFile).catch(() => undefined);
  }
}

/** Init container: one login, the sinks, every template once. */
async function runOnce(autoAuth: AutoAuth, auth: AutoAuthConfig, templates: TemplateServer, logger: Logger): Promise<void> {
  const grant = await autoAuth.authenticate();
  if (!grant) return;
  await writeSinks(auth, grant, logger, true);
  await templates.renderOnce(grant.token);
  logger.info('every template rendered; exiting (exit_after_auth)');
}

/** Sidecar: log in, hand the token to the sinks and templates, keep it alive, log in again when needed. */
async function runSidecar(autoAuth: AutoAuth, auth: AutoAuthConfig, templates: TemplateServer, logger: Logger, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const grant = await autoAuth.authenticate();
    if (!grant) return;
    await writeSinks(auth, grant, logger, false);
    templates.useToken(grant.token);
    if ((await autoAuth.keepAlive(grant)) === 'stopped') return;
  }
}

async function writeSinks(auth: AutoAuthConfig, grant: TokenGrant, logger: Logger, strict: boolean): Promise<void> {
  for (const sink of auth.sinks) {
    try {
      await writeTokenSink(sink, grant.token);
      logger.info({ path: sink.path }, 'token written to file sink');
    } catch (error) {
      if (strict) throw new Error(`writing the token to ${sink.path} failed: ${describeError(error)}`);
      logger.error({ path: sink.path, error: describeError(error) }, 'writing the token to the file sink failed');
    }
  }
}
