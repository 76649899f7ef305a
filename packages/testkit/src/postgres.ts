import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePorts } from './free-ports.js';
import { requireBinary, runAsWhenRoot, runCommand, ServerProcess, type RunAs } from './server-process.js';

/** Debian's postgresql-15 binaries, which scripts/test.sh installs. */
export const DEFAULT_POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin';

export interface PostgresOptions {
  binDir?: string;
  /** `-c max_connections` (default 300: tests open many short sessions at once). */
  maxConnections?: number;
}

/** A PostgreSQL server on a free loopback port, with its data in a temp folder. */
export interface PostgresServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The superuser (`postgres`) and its current password. */
  readonly adminUser: string;
  readonly adminPassword: string;
  readonly running: boolean;
  /** `postgresql://postgres:<password>@127.0.0.1:<port>/postgres?sslmode=disable` */
  adminUrl(): string;
  /** The same URL with `{{username}}`/`{{password}}` in place of the credentials, as Coffer configs take it. */
  templateUrl(database?: string): string;
  /** Connects a client (the superuser by default); the caller ends it. */
  connect(user?: string, password?: string, database?: string): Promise<pg.Client>;
  /** Runs one statement as the superuser on a fresh connection. */
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Whether `user` can log in with `password` right now. */
  canLogin(user: string, password: string): Promise<boolean>;
  /** Changes the superuser's password (and what `adminUrl` and `query` use). */
  setAdminPassword(password: string): Promise<void>;
  /** Fast shutdown (SIGINT): sessions are cut, data is kept. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it answers. */
  start(): Promise<void>;
  /** SIGKILL (a crash). */
  kill(): Promise<void>;
  /** Kills it and deletes the data. */
  close(): Promise<void>;
  logTail(): string;
}

/** Runs initdb and postgres as the `postgres` user when we are root. A missing binary is an error, never a skip. */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const binDir = options.binDir ?? DEFAULT_POSTGRES_BIN_DIR;
  await requireBinary(join(binDir, 'postgres'), 'postgresql', 'PostgreSQL 15');
  await requireBinary(join(binDir, 'initdb'), 'postgresql', 'PostgreSQL 15 initdb');
  const runAs = await runAsWhenRoot('postgres');
  const dir = await mkdtemp(join(tmpdir(), 'coffer-pg-'));
  // The postgres user must reach its folders inside our (root-owned) temp folder.
  await chmod(dir, 0o755);
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  for (const folder of [dataDir, socketDir]) {
    await mkdir(folder, { mode: 0o700 });
    await giveTo(runAs, folder);
  }
  let adminPassword = randomBytes(12).toString('hex');
  const pwFile = join(dir, 'pwfile');
  await writeFile(pwFile, `${adminPassword}\n`, { mode: 0o644 });
  try {
    await runCommand(
      join(binDir, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwFile}`, '-E', 'UTF8', '--no-sync'],
      runAs,
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(pwFile, { force: true });
  }

  let port = 0;
  const server = new ServerProcess('postgres', join(binDir, 'postgres'), () => [
    '-D', dataDir,
    '-p', String(port),
    '-k', socketDir,
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off',
    '-c', 'synchronous_commit=off',
    '-c', 'full_page_writes=off',
    '-c', `max_connections=${options.maxConnections ?? 300}`,
    '-c', 'shared_buffers=32MB',
  ], runAs);

  const clientConfig = (user: string, password: string, database = 'postgres'): pg.ClientConfig => ({
    host: '127.0.0.1',
    port,
    user,
    password,
    database,
    connectionTimeoutMillis: 5000,
  });
  const connect = async (user = 'postgres', password = adminPassword, database = 'postgres') => {
    const client = new pg.Client(clientConfig(user, password, database));
    // A server-side termination must not crash the test process; the next query reports it.
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  const query = async <R extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> => {
    const client = await connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const boot = async () => {
    server.launch();
    await server.waitReady(async () => {
      await query('SELECT 1');
    });
  };

  // A free port can be taken between our probe and the server's bind; try again with a new one.
  for (let attempt = 1; ; attempt++) {
    [port] = (await freePorts(1)) as [number];
    try {
      await boot();
      break;
    } catch (error) {
      await server.signal('SIGKILL');
      if (!server.logTail().includes('already in use') || attempt >= 3) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  return {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    adminUser: 'postgres',
    get adminPassword() {
      return adminPassword;
    },
    get running() {
      return server.running;
    },
    adminUrl: () => `postgresql://postgres:${encodeURIComponent(adminPassword)}@127.0.0.1:${port}/postgres?sslmode=disable`,
    templateUrl: (database = 'postgres') => `postgresql://{{username}}:{{password}}@127.0.0.1:${port}/${database}?sslmode=disable`,
    connect,
    query,
    async canLogin(user, password) {
      try {
        const client = await connect(user, password);
        await client.end();
        return true;
      } catch {
        return false;
      }
    },
    async setAdminPassword(password) {
      const client = await connect();
      try {
        await client.query(`ALTER ROLE postgres WITH PASSWORD ${client.escapeLiteral(password)}`);
      } finally {
        await client.end().catch(() => undefined);
      }
      adminPassword = password;
    },
    stop: () => server.signal('SIGINT'),
    start: async () => {
      if (!server.running) await boot();
    },
    kill: () => server.signal('SIGKILL'),
    async close() {
      await server.signal('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
    logTail: () => server.logTail(),
  };
}

async function giveTo(runAs: RunAs | undefined, path: string): Promise<void> {
  if (runAs) await chown(path, runAs.uid, runAs.gid);
}
