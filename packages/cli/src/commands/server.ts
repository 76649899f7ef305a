import { unlink, writeFile } from 'node:fs/promises';
import type { RunningServer, ServerConfig } from '@coffer/server';
import { createLogger } from '../logger.js';
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { DEV_LISTEN_ADDRESS, devServerConfig } from '../dev-config.js';
import { EXIT, usageError } from '../exit-codes.js';
import { configurationBanner, devBanner } from '../server-banner.js';
import { writeTokenFile } from '../token-file.js';
import { action, optionsOf } from './shared.js';

type LogLevel = ServerConfig['logLevel'];
const LOG_LEVELS: Record<string, LogLevel> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
};

interface ServerOptions {
  config?: string;
  dev?: boolean;
  devRootTokenId?: string;
  devListenAddress?: string;
  logLevel?: string;
}

/**
 * `server`: runs Coffer in this process until SIGINT/SIGTERM (`io.signal`), then closes the
 * listeners and storage and exits 0. Configuration problems exit 1 with the file:line messages and
 * no stack trace.
 */
export function registerServerCommand(program: Command, ctx: Context): void {
  action(
    ctx,
    program
      .command('server')
      .description('Start a Coffer server')
      .option('--config <file>', 'server configuration file (HCL or JSON)')
      .option('--dev', 'development mode: in-memory, initialised, unsealed, KV v2 at secret/')
      .option('--dev-root-token-id <id>', 'root token ID for dev mode')
      .option('--dev-listen-address <address>', `listen address for dev mode (default ${DEV_LISTEN_ADDRESS})`)
      .option('--log-level <level>', 'trace, debug, info, warn or error (default: the config\'s log_level, else info)'),
    async (...args) => {
      const o = optionsOf<ServerOptions>(args);
      if (!o.dev && o.config === undefined) throw usageError('Must specify at least one config path using -config');
      const level = o.logLevel === undefined ? undefined : LOG_LEVELS[o.logLevel.toLowerCase()];
      if (o.logLevel !== undefined && level === undefined) throw usageError(`unknown log level: ${o.logLevel}`);

      const server = await import('@coffer/server');
      let config: ServerConfig;
      if (o.dev) {
        config = devServerConfig(o.devListenAddress ?? ctx.env.devListenAddress ?? DEV_LISTEN_ADDRESS, level ?? 'info');
      } else {
        const path = o.config as string;
        try {
          config = await server.loadServerConfig(path, ctx.env.raw);
        } catch (error) {
          ctx.err(`Error loading configuration from ${path}:\n\n${(error as Error).message}`);
          return EXIT.local;
        }
      }
      const logger = createLogger(level ?? config.logLevel, ctx.io.stderr);
      const rootTokenId = o.devRootTokenId ?? ctx.env.devRootTokenId;

      let running: RunningServer;
      try {
        running = await server.startServer({
          config,
          logger,
          ...(o.dev ? { dev: rootTokenId === undefined ? {} : { rootTokenId } } : {}),
        });
      } catch (error) {
        ctx.err(`Error starting the server: ${(error as Error).message}`);
        return EXIT.local;
      }

      ctx.out(configurationBanner(config, running.addresses, server.COFFER_VERSION));
      if (running.dev) {
        // Vault's dev mode logs the CLI in with the root token, as its banner says.
        if (ctx.io.homeDir !== undefined) await writeTokenFile(ctx.io.homeDir, running.dev.rootToken);
        ctx.out(devBanner(running.addresses[0] ?? '', running.dev));
      }
      if (config.pidFile !== undefined) await writeFile(config.pidFile, `${process.pid}\n`);
      ctx.io.onHangup?.(() => {
        logger.info('SIGHUP: reopening audit files');
        void running.reopenAudit().catch((error: Error) => logger.error({ reason: error.message }, 'reopening audit files failed'));
      });

      await stopped(ctx.io.signal);
      logger.info('shutdown requested; closing listeners and storage');
      await running.close();
      if (config.pidFile !== undefined) await unlink(config.pidFile).catch(() => undefined);
      logger.info('server stopped');
      return EXIT.ok;
    },
  );
}

/** Resolves when the run's signal fires (never, without one). */
function stopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
