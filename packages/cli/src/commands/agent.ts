import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT, usageError } from '../exit-codes.js';
import { createLogger } from '../logger.js';
import { action, optionsOf } from './shared.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

interface AgentOptions {
  config?: string;
  logLevel?: string;
}

/**
 * `agent`: Vault Agent's equivalent. Logs in with the configured auto-auth method, writes token
 * sinks, renders templates and keeps them fresh until SIGINT/SIGTERM (`io.signal`), then exits 0;
 * with `exit_after_auth` it exits once everything is rendered. Config problems exit 1 with the
 * file:line messages; a run that fails exits 1 after logging why.
 */
export function registerAgentCommand(program: Command, ctx: Context): void {
  action(
    ctx,
    program
      .command('agent')
      .description('Run the Coffer agent: log in, render secrets into files, keep them fresh')
      .option('--config <file>', 'agent configuration file (HCL or JSON, Vault Agent format)')
      .option('--log-level <level>', "trace, debug, info, warn or error (default: the config's log_level, else info)"),
    async (...args) => {
      const o = optionsOf<AgentOptions>(args);
      if (o.config === undefined) throw usageError('Must specify at least one config path using -config');
      const agent = await import('@coffer/agent');
      const path = o.config;
      let config;
      try {
        config = await agent.parseAgentConfig(await readFile(path, 'utf8'), { fileName: path, env: ctx.env.raw });
      } catch (error) {
        ctx.err(`Error loading configuration from ${path}:\n\n${(error as Error).message}`);
        return EXIT.local;
      }
      const requested = (o.logLevel ?? config.logLevel ?? 'info').toLowerCase().replace(/^warning$/, 'warn').replace(/^err$/, 'error');
      if (!(LOG_LEVELS as readonly string[]).includes(requested)) throw usageError(`unknown log level: ${requested}`);
      const logger = createLogger(requested as LogLevel, ctx.io.stderr);
      return agent.runAgent(config, { logger, ...(ctx.io.signal ? { signal: ctx.io.signal } : {}), env: ctx.env.raw });
    },
  );
}
