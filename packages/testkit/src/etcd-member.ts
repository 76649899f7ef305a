import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

/** How one member is started; the same arguments serve a restart on the same ports and data. */
export interface EtcdMemberSpec {
  readonly binary: string;
  readonly name: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
  readonly initialCluster: string;
  readonly clusterToken: string;
  readonly extraArgs: readonly string[];
  /** Serve clients over TLS with this certificate (peers stay on plain http). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
}

/** One etcd process of a test cluster. Every method waits for the effect, never a fixed time. */
export interface EtcdMember {
  readonly name: string;
  /** `http://127.0.0.1:<port>` (`https://` with TLS), what clients connect to. */
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly running: boolean;
  readonly pid: number | undefined;
  /** SIGKILL (a crash): resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL if it lingers (a leader without quorum can take 10 s to stop). */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data; by default waits until it reports healthy. */
  restart(options?: { waitHealthy?: boolean }): Promise<void>;
  /** Polls `/health` until it answers `true` (it has a leader and no alarm). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** The value of one Prometheus metric from its `/metrics`, e.g. `etcd_server_is_leader`. */
  metric(name: string): Promise<number | undefined>;
  /** The last lines etcd wrote, for failure messages. */
  logTail(): string;
}

const LOG_LINES = 60;
/** Children still running, killed if the test process exits without closing them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

export class EtcdProcess implements EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly #spec: EtcdMemberSpec;
  #child: ChildProcess | undefined;
  #exited: Promise<unknown> = Promise.resolve();
  #log: string[] = [];

  constructor(spec: EtcdMemberSpec) {
    this.#spec = spec;
    this.name = spec.name;
    this.clientUrl = `${spec.tls ? 'https' : 'http'}://127.0.0.1:${spec.clientPort}`;
    this.peerUrl = `http://127.0.0.1:${spec.peerPort}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Spawns the process; does not wait for health. */
  launch(): void {
    if (this.#child) throw new Error(`etcd member ${this.name} is already running`);
    const s = this.#spec;
    const args = [
      '--name', s.name,
      '--data-dir', s.dataDir,
      '--listen-client-urls', this.clientUrl,
      '--advertise-client-urls', this.clientUrl,
      '--listen-peer-urls', this.peerUrl,
      '--initial-advertise-peer-urls', this.peerUrl,
      '--initial-cluster', s.initialCluster,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', s.clusterToken,
      // zap avoids the capnslog deprecation noise; warnings are enough to explain a failure.
      '--logger', 'zap', '--log-outputs', 'stderr', '--log-level', 'warn',
      ...(s.tls ? ['--cert-file', s.tls.certFile, '--key-file', s.tls.keyFile] : []),
      ...s.extraArgs,
    ];
    installExitHook();
    const child = spawn(s.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    live.add(child);
    const collect = (chunk: Buffer) => {
      this.#log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (this.#log.length > LOG_LINES) this.#log = this.#log.slice(-LOG_LINES);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.#exited = once(child, 'exit').catch(() => undefined);
    void this.#exited.then(() => {
      live.delete(child);
      if (this.#child === child) this.#child = undefined;
    });
  }

  async kill(): Promise<void> {
    await this.#signal('SIGKILL');
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.#exited;
    clearTimeout(timer);
  }

  async restart(options: { waitHealthy?: boolean } = {}): Promise<void> {
    this.launch();
    if (options.waitHealthy ?? true) await this.waitHealthy();
  }

  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.#child) throw new Error(`etcd member ${this.name} is not running:\n${this.logTail()}`);
      if (await this.#healthy()) return;
      if (Date.now() > deadline) {
        throw new Error(`etcd member ${this.name} not healthy after ${timeoutMs} ms:\n${this.logTail()}`);
      }
      await sleep(50);
    }
  }

  async metric(name: string): Promise<number | undefined> {
    const text = await this.#httpGet('/metrics', 5000);
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? undefined : Number(line.slice(name.length + 1));
  }

  logTail(): string {
    return this.#log.join('\n');
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill(signal);
    await this.#exited;
  }

  async #healthy(): Promise<boolean> {
    try {
      const body = JSON.parse(await this.#httpGet('/health', 1000)) as { health?: unknown };
      return body.health === 'true' || body.health === true;
    } catch {
      return false;
    }
  }

  /** GET on the client URL; over TLS it trusts the test CA (fetch cannot, on Node 20). */
  async #httpGet(path: string, timeoutMs: number): Promise<string> {
    const tls = this.#spec.tls;
    if (!tls) {
      return (await fetch(`${this.clientUrl}${path}`, { signal: AbortSignal.timeout(timeoutMs) })).text();
    }
    return new Promise((resolve, reject) => {
      const req = https.get(`${this.clientUrl}${path}`, { ca: readFileSync(tls.caFile), timeout: timeoutMs }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
      req.on('error', reject);
    });
  }
}
