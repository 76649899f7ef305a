import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** A system account to run a server as, when the tests run as root (the databases refuse root). */
export interface RunAs {
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
}

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

/** Fails clearly when a system binary is missing: CI installs it (scripts/test.sh); tests never skip. */
export async function requireBinary(path: string, aptPackage: string, what: string): Promise<void> {
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new Error(
      `${what} is not installed at ${path}: install Debian's ${aptPackage} package ` +
        `(apt-get install -y ${aptPackage}), as scripts/test.sh does`,
    );
  }
}

/**
 * The account to run as: `name` from /etc/passwd when we are root, nobody (run as ourselves)
 * otherwise. Spawning with uid/gid is what `runuser -u <name>` does, minus the extra process in
 * between, so signals reach the server itself.
 */
export async function runAsWhenRoot(name: string): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith(`${name}:`));
  const fields = line?.split(':');
  if (!fields || fields.length < 4) throw new Error(`the system user "${name}" does not exist; is its package installed?`);
  return { user: name, uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** Runs a setup command (initdb, mariadb-install-db) to completion; its output explains a failure. */
export function runCommand(binary: string, args: readonly string[], runAs: RunAs | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      { ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}), maxBuffer: 4 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${binary} failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolve(`${stdout}${stderr}`);
      },
    );
  });
}

const LOG_LINES = 80;

/** One long-running server process: its output kept for failure messages, its exit awaited. */
export class ServerProcess {
  readonly #binary: string;
  readonly #args: () => readonly string[];
  readonly #runAs: RunAs | undefined;
  readonly #label: string;
  #child: ChildProcess | undefined;
  #exited: Promise<unknown> = Promise.resolve();
  #log: string[] = [];

  /** `args` is called at every launch, so a restart can pick up changed settings. */
  constructor(label: string, binary: string, args: () => readonly string[], runAs: RunAs | undefined) {
    this.#label = label;
    this.#binary = binary;
    this.#args = args;
    this.#runAs = runAs;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  launch(): void {
    if (this.#child) throw new Error(`${this.#label} is already running`);
    installExitHook();
    const child = spawn(this.#binary, [...this.#args()], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(this.#runAs ? { uid: this.#runAs.uid, gid: this.#runAs.gid } : {}),
    });
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

  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs` if it lingers. */
  async signal(signal: NodeJS.Signals, graceMs = 15_000): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill(signal);
    const timer = signal === 'SIGKILL' ? undefined : setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.#exited;
    if (timer) clearTimeout(timer);
  }

  /**
   * Polls `probe` until it succeeds: the server answers queries. Fails at once if the process
   * exits, and after `timeoutMs` with the server's last output.
   */
  async waitReady(probe: () => Promise<void>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      if (!this.#child) throw new Error(`${this.#label} exited during startup:\n${this.logTail()}`);
      try {
        await probe();
        return;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${this.#label} did not answer within ${timeoutMs} ms (${(lastError as Error)?.message}):\n${this.logTail()}`,
        );
      }
      await sleep(50);
    }
  }

  logTail(): string {
    return this.#log.join('\n');
  }
}
