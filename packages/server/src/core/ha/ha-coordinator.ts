import type { HAStorage, LeaderInfo, Leadership, Logger } from '@coffer/sdk';

export interface HaCoordinatorDeps {
  storage: HAStorage;
  node: LeaderInfo;
  logger: Logger;
  /** Called with fresh leadership; resolves when the node serves as active (or throws). */
  becomeActive(leadership: Leadership): Promise<void>;
  /** Called as soon as leadership is lost or given up; must stop active work at once. */
  becomeStandby(): Promise<void>;
  /** How long a node that stepped down waits before campaigning again, so another takes over. */
  stepDownBackoffMs?: number;
}

/**
 * Campaigns for leadership while the node is unsealed and flips it between standby and active.
 * Losing the lease (expiry, a failed keepalive, a fenced write) steps down at once; step-down and
 * shutdown resign so a standby takes over immediately.
 */
export class HaCoordinator {
  readonly #deps: HaCoordinatorDeps;
  #abort: AbortController | undefined;
  #leadership: Leadership | undefined;
  #leader: LeaderInfo | undefined;
  #unwatch: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #steppingDown = false;
  #activeSince: Date | undefined;

  constructor(deps: HaCoordinatorDeps) {
    this.#deps = deps;
  }

  get node(): LeaderInfo {
    return this.#deps.node;
  }

  get isActive(): boolean {
    return this.#activeSince !== undefined;
  }

  get activeSince(): Date | undefined {
    return this.#activeSince;
  }

  /** The current leader as last seen (this node when active). */
  get leader(): LeaderInfo | undefined {
    return this.isActive ? this.#deps.node : this.#leader;
  }

  start(): void {
    if (this.#loop) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#unwatch = this.#deps.storage.watchLeader((leader) => (this.#leader = leader));
    void this.#deps.storage.leader().then(
      (leader) => (this.#leader ??= leader),
      () => undefined,
    );
    this.#loop = this.#run(abort.signal).finally(() => (this.#loop = undefined));
  }

  /** Gives leadership up; this node campaigns again only after a back-off. */
  async stepDown(): Promise<void> {
    if (!this.#leadership) return;
    this.#steppingDown = true;
    this.#deps.logger.info('stepping down from active duty');
    await this.#leadership.resign();
  }

  /** Stops campaigning and resigns (shutdown, seal). */
  async stop(): Promise<void> {
    this.#abort?.abort();
    this.#unwatch?.();
    this.#unwatch = undefined;
    await this.#leadership?.resign().catch(() => undefined);
    await this.#loop;
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let leadership: Leadership;
      try {
        leadership = await this.#deps.storage.campaign(this.#deps.node, signal);
      } catch (error) {
        if (signal.aborted) return;
        this.#deps.logger.warn({ err: error }, 'leader election failed; retrying');
        await sleep(1000, signal);
        continue;
      }
      this.#leadership = leadership;
      try {
        await this.#deps.becomeActive(leadership);
        this.#activeSince = new Date();
        this.#deps.logger.info({ node: this.#deps.node.id }, 'acquired leadership: this node is active');
        await waitForAbort(leadership.lost, signal);
      } catch (error) {
        this.#deps.logger.error({ err: error }, 'could not become active; resigning');
        await leadership.resign().catch(() => undefined);
      }
      this.#activeSince = undefined;
      this.#leadership = undefined;
      await this.#deps.becomeStandby();
      if (!signal.aborted) this.#deps.logger.warn('leadership lost: this node is a standby');
      if (this.#steppingDown) {
        this.#steppingDown = false;
        await sleep(this.#deps.stepDownBackoffMs ?? 5000, signal);
      }
    }
  }
}

function waitForAbort(...signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    if (signals.some((s) => s.aborted)) return resolve();
    for (const s of signals) s.addEventListener('abort', () => resolve(), { once: true });
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
