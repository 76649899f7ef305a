import type { Logger } from '@coffer/sdk';
import { describeError } from '../client/error-kinds.js';
import type { VaultClient } from '../client/vault-client.js';
import type { TemplateSettings } from '../config/agent-config.js';
import { Backoff } from '../lifetime/backoff.js';
import { DependencySet, StoppedError } from '../secrets/dependency-set.js';
import type { VaultDependency } from '../secrets/vault-dependency.js';
import type { TemplateRunner } from './template-runner.js';

export interface TemplateServerOptions {
  client: VaultClient;
  logger: Logger;
  settings: TemplateSettings;
  numRetries: number;
  /** exit_on_retry_failure: a template that cannot be rendered ends the agent. */
  onFatal(error: Error): void;
  random?: () => number;
}

interface RunnerState {
  busy: boolean;
  again: boolean;
  backoff: Backoff;
  retryTimer: NodeJS.Timeout | undefined;
}

/**
 * Vault Agent's template server. Each new token starts a fresh dependency set (so every secret is
 * fetched again with it, as Vault Agent restarts its runner) and renders every template; after
 * that a template renders again whenever one of the secrets it used was fetched again. Renders of
 * one template never overlap; a failed render is retried with backoff (1 s doubling to 5 m).
 */
export class TemplateServer {
  #deps: DependencySet | undefined;
  readonly #states = new Map<TemplateRunner, RunnerState>();
  #stopped = false;

  constructor(
    private readonly runners: readonly TemplateRunner[],
    private readonly options: TemplateServerOptions,
  ) {
    for (const runner of runners) {
      this.#states.set(runner, { busy: false, again: false, backoff: new Backoff(1000, 5 * 60_000, options.random), retryTimer: undefined });
    }
  }

  /** Sidecar mode: switch to a new token and render everything with it. */
  useToken(token: string): void {
    this.#deps?.stop();
    this.#deps = this.#newSet(token, (dependency) => this.#refreshed(dependency));
    for (const runner of this.runners) this.#request(runner);
  }

  /** exit_after_auth: render every template once with this token; throws if any cannot be rendered. */
  async renderOnce(token: string): Promise<void> {
    const deps = this.#newSet(token, () => undefined);
    this.#deps = deps;
    try {
      const results = await Promise.allSettled(this.runners.map((runner) => runner.render(deps)));
      const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [{ runner: this.runners[i] as TemplateRunner, error: r.reason as Error }] : []));
      for (const { runner, error } of failures) {
        this.options.logger.error({ destination: runner.config.destination, error: describeError(error) }, 'template could not be rendered');
      }
      if (failures.length) throw new Error(`${failures.length} of ${this.runners.length} templates could not be rendered`);
    } finally {
      deps.stop();
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#deps?.stop();
    for (const state of this.#states.values()) clearTimeout(state.retryTimer);
  }

  #newSet(token: string, onRefresh: (dependency: VaultDependency) => void): DependencySet {
    const { client, logger, settings, numRetries, random } = this.options;
    return new DependencySet({
      client,
      token,
      logger,
      numRetries,
      exitOnRetryFailure: settings.exitOnRetryFailure,
      timing: { defaultLeaseMs: settings.staticSecretRenderIntervalMs, threshold: settings.leaseRenewalThreshold },
      onRefresh,
      onFatal: (error) => this.options.onFatal(error),
      ...(random ? { random } : {}),
    });
  }

  #refreshed(dependency: VaultDependency): void {
    for (const runner of this.runners) if (runner.usedKeys.has(dependency.key)) this.#request(runner);
  }

  #request(runner: TemplateRunner): void {
    const state = this.#states.get(runner) as RunnerState;
    clearTimeout(state.retryTimer);
    state.retryTimer = undefined;
    if (state.busy) {
      state.again = true;
      return;
    }
    state.busy = true;
    void this.#loop(runner, state);
  }

  async #loop(runner: TemplateRunner, state: RunnerState): Promise<void> {
    do {
      state.again = false;
      const deps = this.#deps;
      if (this.#stopped || !deps) break;
      try {
        await runner.render(deps);
        state.backoff.reset();
      } catch (error) {
        // A render cut short by a new token is simply done again with the new one.
        if (error instanceof StoppedError || deps.stopped) continue;
        const destination = runner.config.destination;
        if (this.options.settings.exitOnRetryFailure) {
          this.options.logger.error({ destination, error: describeError(error) }, 'template could not be rendered; exiting (exit_on_retry_failure)');
          this.options.onFatal(error as Error);
          break;
        }
        const wait = state.backoff.next();
        this.options.logger.error({ destination, error: describeError(error), retry_in: `${(wait / 1000).toFixed(1)}s` }, 'template could not be rendered; retrying');
        state.retryTimer = setTimeout(() => this.#request(runner), wait);
      }
    } while (state.again && !this.#stopped);
    state.busy = false;
    this.#retainUsed();
  }

  /** Once no render is running, stop watching secrets no template uses any more. */
  #retainUsed(): void {
    if (!this.#deps || [...this.#states.values()].some((s) => s.busy)) return;
    this.#deps.retain(new Set(this.runners.flatMap((r) => [...r.usedKeys])));
  }
}
