import type { Logger } from '@coffer/sdk';
import type { ServiceRegistrationConfig } from '../config/config-types.js';
import { KubernetesApiError, KubernetesPodClient } from './kubernetes-pod-client.js';
import { labelPatch, labelsFor, type PodLabels } from './pod-labels.js';
import type { NodeStateSource, ServiceRegistration, ServiceRegistrationDeps } from './service-registration.js';

export interface RegistrationTiming {
  /** First retry delay after a failed call; doubles up to `maxBackoffMs` (Vault's client: 500 ms–30 s). */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** How long `stop()` keeps trying to leave the shutdown labels before giving up. */
  shutdownGraceMs: number;
}

const DEFAULT_TIMING: RegistrationTiming = { initialBackoffMs: 500, maxBackoffMs: 30_000, shutdownGraceMs: 5_000 };

/**
 * Kubernetes service registration: the pod labels itself (`vault-active`, `vault-sealed`, …) by
 * JSON-patching its own Pod. One background loop does all the work, so patches never overlap and
 * land in order. Each pass reads the node's state afresh and sends only the labels that differ
 * from what the pod is known to carry; a failed pass forgets what the pod carries (the next one
 * re-reads the pod) and retries with exponential back-off, however long the API server is away.
 * Changes that arrive meanwhile are folded into the next pass: the latest state wins.
 */
export class KubernetesServiceRegistration implements ServiceRegistration {
  readonly #client: KubernetesPodClient;
  readonly #logger: Logger;
  readonly #state: NodeStateSource;
  readonly #versions: { vault: string; coffer: string };
  readonly #timing: RegistrationTiming;
  readonly #pod: string;
  /** Aborts back-off sleeps and calls in flight: the end of shutdown. */
  readonly #halt = new AbortController();
  /** Cuts the current back-off short: shutdown tries its labels at once. */
  #nap: AbortController | undefined;
  #pending = false;
  #loop: Promise<void> | undefined;
  /** Whether `#known` reflects the pod (false at first and after any failure). */
  #synced = false;
  /** The pod's labels as last read or patched; undefined when the pod has no label map. */
  #known: PodLabels | undefined;
  /** Set by `stop()`: from then on these are announced, whatever the core says. */
  #final: PodLabels | undefined;
  #lastInitialized = false;
  #failures = 0;
  #stopped: Promise<void> | undefined;

  constructor(config: ServiceRegistrationConfig, deps: ServiceRegistrationDeps) {
    this.#client = new KubernetesPodClient(config);
    this.#logger = deps.logger;
    this.#state = deps.state;
    this.#versions = deps.versions;
    this.#timing = { ...DEFAULT_TIMING, ...deps.timing };
    this.#pod = `${config.namespace}/${config.podName}`;
  }

  start(): void {
    this.#logger.info({ pod: this.#pod }, 'kubernetes service registration: labelling this pod with its role');
    this.notify();
  }

  notify(): void {
    if (this.#halt.signal.aborted) return;
    this.#pending = true;
    this.#loop ??= this.#run().finally(() => {
      this.#loop = undefined;
      // A change that came in while the loop was winding down.
      if (this.#pending) this.notify();
    });
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      // Not active and sealed, so no Service routes here while the process stops. `initialized`
      // keeps its last value: the storage is still initialised (Vault's "false" on shutdown is
      // the stale label of hashicorp/vault#8713).
      this.#final = labelsFor({ role: 'sealed', initialized: this.#lastInitialized }, this.#versions);
      this.notify();
      this.#nap?.abort();
      const deadline = setTimeout(() => this.#haltNow(), this.#timing.shutdownGraceMs);
      while (this.#loop) await this.#loop;
      clearTimeout(deadline);
      const landed = !this.#halt.signal.aborted;
      this.#haltNow();
      if (!landed) this.#logger.warn({ pod: this.#pod }, 'kubernetes service registration: could not leave the shutdown labels on the pod');
    })();
    return this.#stopped;
  }

  #haltNow(): void {
    this.#halt.abort();
    this.#nap?.abort();
  }

  async #run(): Promise<void> {
    let delay = this.#timing.initialBackoffMs;
    while (this.#pending && !this.#halt.signal.aborted) {
      this.#pending = false;
      try {
        await this.#pass();
        if (this.#failures > 0) {
          this.#logger.info({ pod: this.#pod, failures: this.#failures }, 'kubernetes service registration: pod labels are up to date again');
        }
        this.#failures = 0;
        delay = this.#timing.initialBackoffMs;
      } catch (error) {
        if (this.#halt.signal.aborted) return;
        this.#failures++;
        this.#pending = true;
        this.#synced = false;
        // Shutdown has a few seconds only: retry at the shortest interval.
        if (this.#final) delay = this.#timing.initialBackoffMs;
        const wait = Math.round(delay / 2 + Math.random() * (delay / 2));
        this.#logger.warn(
          { pod: this.#pod, err: error, attempt: this.#failures, retryInMs: wait, ...hint(error) },
          'kubernetes service registration: could not update the pod labels; retrying',
        );
        this.#nap = new AbortController();
        await sleep(wait, this.#nap.signal);
        this.#nap = undefined;
        delay = Math.min(delay * 2, this.#timing.maxBackoffMs);
      }
    }
  }

  /** One attempt: read the state, read the pod if its labels are not known, patch the difference. */
  async #pass(): Promise<void> {
    const signal = this.#halt.signal;
    const wanted = this.#final ?? (await this.#currentLabels());
    if (!this.#synced) {
      this.#known = await this.#client.podLabels(signal);
      this.#synced = true;
    }
    const patch = labelPatch(this.#known, wanted);
    if (patch.length === 0) return;
    await this.#client.patchPod(patch, signal);
    this.#known = { ...this.#known, ...wanted };
  }

  async #currentLabels(): Promise<PodLabels> {
    // Storage being away must not hold the role labels back: the last known answer stands in
    // (and shutdown does not wait for a storage call that hangs).
    this.#lastInitialized = await untilHalted(this.#state.initialized(), this.#halt.signal).catch(() => this.#lastInitialized);
    return labelsFor({ role: this.#state.role(), initialized: this.#lastInitialized }, this.#versions);
  }
}

/** What to tell the operator for the failures that are configuration, not weather. */
function hint(error: unknown): { hint?: string } {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    return { hint: 'the service-account token or CA file is missing (automountServiceAccountToken: false?)' };
  }
  if (!(error instanceof KubernetesApiError)) return {};
  if (error.status === 401) return { hint: 'the service-account token was refused' };
  if (error.status === 403) return { hint: 'the service account needs "get" and "patch" on pods in its namespace (a Role and RoleBinding)' };
  if (error.status === 404) return { hint: 'no such pod: check namespace and pod_name (VAULT_K8S_NAMESPACE, VAULT_K8S_POD_NAME)' };
  return {};
}

/** The promise's outcome, or a rejection as soon as `signal` aborts (the listener is removed either way). */
function untilHalted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('halted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('halted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
