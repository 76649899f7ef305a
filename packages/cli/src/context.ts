import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { ApiClient } from './client.js';
import type { CliEnv, EnvRecord } from './env.js';
import { usageError } from './exit-codes.js';
import { OUTPUT_FORMATS, type OutputFormat } from './output.js';
import type { PromptInput } from './prompt.js';
import { readTokenFile } from './token-file.js';

/** Everything the CLI touches outside itself, so tests can run it in-process. */
export interface CliIo {
  env: EnvRecord;
  stdout: Writable;
  stderr: Writable;
  stdin?: PromptInput;
  /** Where the token file lives; without it no token file is read or written. */
  homeDir?: string;
  /** Aborted on SIGINT/SIGTERM: `coffer server` shuts down when it fires. */
  signal?: AbortSignal;
  /** Registers a SIGHUP handler (the server reopens its audit files for log rotation). */
  onHangup?: (listener: () => void) => void;
}

/** Flags every command accepts (Vault's HTTP and output flag sets). */
export interface GlobalOptions {
  address?: string;
  caCert?: string;
  tlsSkipVerify?: boolean;
  format?: string;
  wrapTtl?: string;
}

/** Vault's default: TLS on the loopback address. */
export const DEFAULT_ADDRESS = 'https://127.0.0.1:8200';

/** One run of the CLI: its streams, environment and global flags, and the client built from them. */
export class Context {
  readonly io: CliIo;
  readonly env: CliEnv;
  globals: GlobalOptions = {};
  /** Set by the command that ran. */
  exitCode: number = 0;

  constructor(io: CliIo, env: CliEnv) {
    this.io = io;
    this.env = env;
  }

  /** `-format`, else COFFER_FORMAT/VAULT_FORMAT, else table. */
  get format(): OutputFormat {
    const format = (this.globals.format ?? this.env.format ?? 'table').toLowerCase();
    if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw usageError(`Invalid output format: ${format}`);
    return format as OutputFormat;
  }

  /** A line (or block) on stdout; Vault's ui.Output. */
  out(text: string): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** A line (or block) on stderr; Vault's ui.Error and ui.Warn. */
  err(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  get address(): string {
    return this.globals.address ?? this.env.address ?? DEFAULT_ADDRESS;
  }

  /**
   * The API client for this run. The token is COFFER_TOKEN/VAULT_TOKEN, else the token file;
   * `login` asks for none, since it brings its own.
   */
  async client(options: { token?: boolean } = {}): Promise<ApiClient> {
    const address = this.address;
    let parsed: URL;
    try {
      parsed = new URL(address);
    } catch {
      throw usageError(`Error parsing the address "${address}": it must be a URL such as https://127.0.0.1:8200`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw usageError(`Error parsing the address "${address}": the scheme must be http or https`);
    }
    const caPath = this.globals.caCert ?? this.env.caCert;
    let ca: Buffer | undefined;
    if (caPath !== undefined) {
      try {
        ca = await readFile(caPath);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw usageError(`Error loading the CA certificate "${caPath}": ${code}`);
      }
    }
    const token = options.token === false ? undefined : await this.#token();
    const wrapTtl = this.globals.wrapTtl ?? this.env.wrapTtl;
    return new ApiClient({
      ...(wrapTtl ? { wrapTtl } : {}),
      address,
      skipVerify: this.globals.tlsSkipVerify === true || this.env.skipVerify,
      ...(ca ? { ca } : {}),
      ...(token !== undefined ? { token } : {}),
    });
  }

  async #token(): Promise<string | undefined> {
    if (this.env.token !== undefined) return this.env.token;
    if (this.io.homeDir === undefined) return undefined;
    return readTokenFile(this.io.homeDir);
  }
}
