import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT, usageError } from '../exit-codes.js';
import { createLogger } from '../logger.js';
import { action, optionsOf } from './shared.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * `injector`: the agent injector, a mutating admission webhook (vault-k8s's `agent-inject`).
 * Its settings are vault-k8s's AGENT_INJECT_* variables. Runs until SIGINT/SIGTERM (`io.signal`),
 * then exits 0; settings problems exit 1 listing every one.
 */
export function registerInjectorCommand(program: Command, ctx: Context): void {
  action(
    ctx,
    program
      .command('injector')
      .description('Run the agent injector webhook (settings from AGENT_INJECT_* variables)')
      .option('--log-level <level>', 'trace, debug, info, warn or error (default: AGENT_INJECT_LOG_LEVEL, else info)'),
    async (...args) => {
      const o = optionsOf<{ logLevel?: string }>(args);
      const injector = await import('@coffer/injector');
      let settings;
      try {
        settings = injector.settingsFromEnv(ctx.env.raw);
      } catch (error) {
        ctx.err((error as Error).message);
        return EXIT.local;
      }
      const level = (o.logLevel ?? settings.logLevel).toLowerCase().replace(/^warning$/, 'warn').replace(/^err$/, 'error');
      if (!(LOG_LEVELS as readonly string[]).includes(level)) throw usageError(`unknown log level: ${level}`);
      const logger = createLogger(level as LogLevel, ctx.io.stderr);
      let running;
      try {
        running = await injector.startInjector({ settings, logger, env: ctx.env.raw, ...(ctx.io.signal ? { signal: ctx.io.signal } : {}) });
      } catch (error) {
        if (ctx.io.signal?.aborted) return EXIT.ok;
        ctx.err(`Error starting the injector: ${(error as Error).message}`);
        return EXIT.local;
      }
      await new Promise<void>((resolve) => {
        if (!ctx.io.signal) return;
        if (ctx.io.signal.aborted) resolve();
        else ctx.io.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      logger.info('shutdown requested; closing the injector');
      await running.close();
      return EXIT.ok;
    },
  );
}
