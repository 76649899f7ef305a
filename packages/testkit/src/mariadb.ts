import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePorts } from './free-ports.js';
import { requireBinary, runAsWhenRoot, runCommand, ServerProcess } from './server-process.js';

/** Debian's mariadb-server (10.11) binaries, which scripts/test.sh installs. */
export const DEFAULT_MARIADBD_BINARY = '/usr/sbin/mariadbd';
export const DEFAULT_MARIADB_INSTALL_DB = '/usr/bin/mariadb-install-db';

export interface MariadbOptions {
  binary?: string;
  installDb?: string;
  /** `--max-connections` (default 300: tests open many short sessions at once). */
  maxConnections?: number;
}

/** A MariaDB server on a free loopback port, with its data in a temp folder. */
export interface MariadbServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `root` and its current password (root@localhost, root@127.0.0.1 and root@::1 share it). */
  readonly adminUser: string;
  readonly adminPassword: string;
  readonly running: boolean;
  /** `mysql://root:<password>@127.0.0.1:<port>/` */
  adminUrl(): string;
  /** Vault's DSN form with `{{username}}`/`{{password}}`: `{{username}}:{{password}}@tcp(127.0.0.1:<port>)/` */
  templateUrl(database?: string): string;
  /** Connects (as root by default); the caller ends the connection. */
  connect(user?: string, password?: string): Promise<mysql.Connection>;
  /** Runs one statement as root on a fresh connection (client-side `?` escaping, as `query` does). */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Whether `user` can log in with `password` right now. */
  canLogin(user: string, password: string): Promise<boolean>;
  /** Changes root's password (and what `adminUrl` and `query` use). */
  setAdminPassword(password: string): Promise<void>;
  /** SIGTERM: a clean shutdown, data kept. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it answers. */
  start(): Promise<void>;
  /** SIGKILL (a crash). */
  kill(): Promise<void>;
  /** Kills it and deletes the data. */
  close(): Promise<void>;
  logTail(): string;
}

/** mariadb-install-db, then mariadbd (dropping to the `mysql` user when we are root). Missing binaries fail, never skip. */
export async function startMariadb(options: MariadbOptions = {}): Promise<MariadbServer> {
  const binary = options.binary ?? DEFAULT_MARIADBD_BINARY;
  const installDb = options.installDb ?? DEFAULT_MARIADB_INSTALL_DB;
  await requireBinary(binary, 'mariadb-server', 'MariaDB 10.11');
  await requireBinary(installDb, 'mariadb-server', 'mariadb-install-db');
  const runAs = await runAsWhenRoot('mysql');
  const dir = await mkdtemp(join(tmpdir(), 'coffer-mariadb-'));
  await chmod(dir, 0o755);
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  for (const folder of [dataDir, socketDir]) {
    await mkdir(folder, { mode: 0o750 });
    if (runAs) await chown(folder, runAs.uid, runAs.gid);
  }
  const userArgs = runAs ? [`--user=${runAs.user}`] : [];
  try {
    await runCommand(
      installDb,
      ['--no-defaults', ...userArgs, `--datadir=${dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db'],
      undefined,
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  let port = 0;
  let adminPassword = '';
  const server = new ServerProcess('mariadbd', binary, () => [
    '--no-defaults',
    ...userArgs,
    `--datadir=${dataDir}`,
    `--socket=${join(socketDir, 'mysqld.sock')}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--pid-file=${join(socketDir, 'mariadbd.pid')}`,
    '--innodb-flush-log-at-trx-commit=0',
    '--innodb-buffer-pool-size=32M',
    '--skip-log-bin',
    `--max-connections=${options.maxConnections ?? 300}`,
  ], undefined);

  const connect = async (user = 'root', password = adminPassword) => {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port, user, password, connectTimeout: 5000 });
    // A KILL from the server must not crash the test process; the next query reports it.
    connection.on('error', () => undefined);
    return connection;
  };
  const query = async <R>(sql: string, params: unknown[] = []): Promise<R[]> => {
    const connection = await connect();
    try {
      const [rows] = await connection.query(sql, params);
      return rows as R[];
    } finally {
      await connection.end().catch(() => undefined);
    }
  };
  const boot = async () => {
    server.launch();
    await server.waitReady(async () => {
      await query('SELECT 1');
    });
  };

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

  const setAdminPassword = async (password: string) => {
    await query("ALTER USER 'root'@'localhost' IDENTIFIED BY ?, 'root'@'127.0.0.1' IDENTIFIED BY ?, 'root'@'::1' IDENTIFIED BY ?", [
      password,
      password,
      password,
    ]);
    adminPassword = password;
  };
  // root starts without a password; give it one, as any real server has.
  await setAdminPassword(randomBytes(12).toString('hex'));

  return {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    adminUser: 'root',
    get adminPassword() {
      return adminPassword;
    },
    get running() {
      return server.running;
    },
    adminUrl: () => `mysql://root:${encodeURIComponent(adminPassword)}@127.0.0.1:${port}/`,
    templateUrl: (database = '') => `{{username}}:{{password}}@tcp(127.0.0.1:${port})/${database}`,
    connect,
    query,
    async canLogin(user, password) {
      try {
        const connection = await connect(user, password);
        await connection.end();
        return true;
      } catch {
        return false;
      }
    },
    setAdminPassword,
    stop: () => server.signal('SIGTERM'),
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
