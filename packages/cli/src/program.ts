import { Command } from 'commander';
import type { BooleanFlags } from './argv.js';
import type { Context } from './context.js';
import { registerAgentCommand } from './commands/agent.js';
import { registerInjectorCommand } from './commands/injector.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerAuthCommands } from './commands/auth.js';
import { registerKvCommands } from './commands/kv.js';
import { registerLeaseCommands } from './commands/lease.js';
import { registerLoginCommand } from './commands/login.js';
import { registerLogicalCommands } from './commands/logical.js';
import { registerOperatorCommands } from './commands/operator.js';
import { registerPolicyCommands } from './commands/policy.js';
import { registerSecretsCommands } from './commands/secrets.js';
import { registerWrappingCommands } from './commands/wrapping.js';
import { registerServerCommand } from './commands/server.js';
import { registerStatusCommand } from './commands/status.js';
import { registerTokenCommands } from './commands/token.js';
import { registerVersionCommand } from './commands/version.js';

/**
 * The command tree. Built fresh for every run (commander keeps parsed values on its objects).
 * Output settings are set before any subcommand exists, since subcommands copy them.
 */
export function buildProgram(ctx: Context): Command {
  const program = new Command('coffer')
    .description('Coffer: a Vault-compatible secrets manager')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
    })
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true })
    .option('--address <url>', 'server address (env COFFER_ADDR, VAULT_ADDR; default https://127.0.0.1:8200)')
    .option('--ca-cert <file>', 'PEM CA certificate to verify the server with (env COFFER_CACERT, VAULT_CACERT)')
    .option('--tls-skip-verify', 'do not verify the server certificate (env COFFER_SKIP_VERIFY, VAULT_SKIP_VERIFY)')
    .option('--format <format>', 'output format: table or json (env COFFER_FORMAT, VAULT_FORMAT)')
    .option('--wrap-ttl <duration>', 'wrap the response in a single-use token with this TTL (env COFFER_WRAP_TTL, VAULT_WRAP_TTL)');

  program.hook('preAction', () => {
    const { address, caCert, tlsSkipVerify, format, wrapTtl } = program.opts<Record<string, unknown>>();
    ctx.globals = {
      ...(typeof address === 'string' ? { address } : {}),
      ...(typeof caCert === 'string' ? { caCert } : {}),
      ...(tlsSkipVerify === true ? { tlsSkipVerify: true } : {}),
      ...(typeof format === 'string' ? { format } : {}),
      ...(typeof wrapTtl === 'string' ? { wrapTtl } : {}),
    };
    // Checked before the command runs, as Vault does, so a typo fails without side effects.
    void ctx.format;
  });

  registerServerCommand(program, ctx);
  registerAgentCommand(program, ctx);
  registerInjectorCommand(program, ctx);
  registerWrappingCommands(program, ctx);
  registerOperatorCommands(program, ctx);
  registerStatusCommand(program, ctx);
  registerLogicalCommands(program, ctx);
  registerKvCommands(program, ctx);
  registerSecretsCommands(program, ctx);
  registerPolicyCommands(program, ctx);
  registerTokenCommands(program, ctx);
  registerLeaseCommands(program, ctx);
  registerAuthCommands(program, ctx);
  registerAuditCommands(program, ctx);
  registerLoginCommand(program, ctx);
  registerVersionCommand(program, ctx);
  return program;
}

/** Every flag that takes no value, for the argv rewriting (argv.ts). */
export function booleanFlags(program: Command): BooleanFlags {
  const positive = new Set<string>();
  const negatable = new Set<string>();
  const visit = (command: Command) => {
    for (const option of command.options) {
      if (option.required || option.optional || !option.long) continue;
      const name = option.long.replace(/^--/, '');
      positive.add(name);
      if (option.negate) negatable.add(name.replace(/^no-/, ''));
    }
    command.commands.forEach(visit);
  };
  visit(program);
  return { positive, negatable };
}
