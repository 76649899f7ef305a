import { readFile } from 'node:fs/promises';
import type { Logger } from '@coffer/sdk';
import type { TemplateConfig } from '../config/agent-config.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { DependencySet } from '../secrets/dependency-set.js';
import { VaultDependency } from '../secrets/vault-dependency.js';
import { fn, stringArg, type TemplateFunc } from '../template/func-def.js';
import { consulHelperFuncs } from '../template/funcs-consul.js';
import { compileTemplate, type CompiledTemplate } from '../template/template.js';
import { runCommand } from './run-command.js';

/** The Vault functions, declared for the parser; each render binds them to its dependency set. */
const VAULT_FUNC_NAMES = ['secret', 'secrets'];

/**
 * One `template` stanza: renders with the secrets of the current dependency set, writes the
 * destination atomically only when the content differs from what is on disk, then runs the
 * command. Remembers which Vault calls the last render made, so only their changes re-render it.
 */
export class TemplateRunner {
  usedKeys: ReadonlySet<string> = new Set();

  private constructor(
    readonly config: TemplateConfig,
    private readonly compiled: CompiledTemplate,
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Reads `source` and parses the template; syntax errors are thrown with `template: name:line:col`. */
  static async create(config: TemplateConfig, logger: Logger, env: NodeJS.ProcessEnv): Promise<TemplateRunner> {
    const text = config.contents ?? (await readFile(config.source as string, 'utf8'));
    const funcs = consulHelperFuncs(env);
    for (const name of VAULT_FUNC_NAMES) funcs.set(name, fn(0, Infinity, () => null));
    const compiled = compileTemplate(text, {
      name: config.source ?? config.destination,
      funcs,
      delims: { left: config.leftDelimiter, right: config.rightDelimiter },
    });
    return new TemplateRunner(config, compiled, logger.child({ destination: config.destination }), env);
  }

  /** Renders once; 'written' when the file changed (and the command ran). */
  async render(deps: DependencySet): Promise<'written' | 'unchanged'> {
    const used = new Set<string>();
    const call = async (dependency: VaultDependency) => {
      used.add(dependency.key);
      return deps.value(dependency);
    };
    const funcs = new Map<string, TemplateFunc>([
      ['secret', fn(0, Infinity, (args) => (args.length === 0 ? null : call(secretDependency(args))))],
      ['secrets', fn(1, 1, ([path]) => call(VaultDependency.list(stringArg(path, 0))))],
    ]);
    const content = await this.compiled.render({ funcs, missingKey: this.config.errorOnMissingKey ? 'error' : 'zero' });
    this.usedKeys = used;
    const existing = await readFile(this.config.destination, 'utf8').catch(() => undefined);
    if (existing === content) {
      this.logger.debug('template unchanged');
      return 'unchanged';
    }
    await writeFileAtomic(this.config.destination, content, {
      mode: this.config.perms,
      defaultMode: 0o644,
      createDirs: this.config.createDestDirs,
    });
    this.logger.info({ bytes: Buffer.byteLength(content) }, 'rendered template');
    if (this.config.command !== undefined) await this.#runCommand(this.config.command);
    return 'written';
  }

  async #runCommand(command: string | string[]): Promise<void> {
    const started = Date.now();
    const shown = typeof command === 'string' ? command : command.join(' ');
    const result = await runCommand(command, this.config.commandTimeoutMs, this.env);
    const fields = { command: shown, exit_code: result.exitCode, duration_ms: Date.now() - started };
    if (result.exitCode === 0) this.logger.info(fields, 'template command finished');
    else if (result.timedOut) this.logger.error({ ...fields, timeout_ms: this.config.commandTimeoutMs }, 'template command timed out and was killed');
    else this.logger.error({ ...fields, signal: result.signal, stderr: result.stderrTail }, 'template command failed');
  }
}

/** consul-template's secret arguments: a path, then `k=v` pairs that make it a write. */
function secretDependency(args: unknown[]): VaultDependency {
  const [path, ...rest] = args.map((a, i) => stringArg(a, i));
  if (rest.length === 0) return VaultDependency.read(path as string);
  const data: Record<string, string> = {};
  for (const pair of rest) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) throw new Error(`not k=v pair ${JSON.stringify(pair)}`);
    data[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return VaultDependency.write(path as string, data);
}
