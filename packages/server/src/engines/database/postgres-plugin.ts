import type { Logger } from '@coffer/sdk';
import pg from 'pg';
import { parsePostgresUrl } from './connection-url.js';
import { databaseError, scrub } from './database-error.js';
import type { ConnectionSettings, DatabaseConnection, DatabasePlugin, NewUser } from './database-plugin.js';
import { EXPIRATION_LAYOUT, formatGoTime } from './go-time-format.js';
import { scramSha256Verifier } from './scram.js';
import { renderStatement, splitStatements, type StatementValues } from './statements.js';

const DEFAULT_RENEW = `ALTER ROLE "{{name}}" VALID UNTIL '{{expiration}}';`;
const DEFAULT_PASSWORD_CHANGE = `ALTER ROLE "{{username}}" WITH PASSWORD '{{password}}';`;

export const postgresPlugin: DatabasePlugin = {
  name: 'postgresql-database-plugin',
  dialect: 'postgresql',
  defaultUsernameTemplate:
    '{{ printf "v-%s-%s-%s-%s" (.DisplayName | truncate 8) (.RoleName | truncate 8) (random 20) (unix_time) | truncate 63 }}',
  // NAMEDATALEN - 1.
  maxUsernameLength: 63,
  open: (settings, logger) => new PostgresConnection(settings, logger),
};

const quoteIdent = (value: string) => `"${value.replaceAll('"', '""')}"`;

class PostgresConnection implements DatabaseConnection {
  readonly #pool: pg.Pool;
  readonly #rootPassword: string;
  readonly #scram: boolean;

  constructor(settings: ConnectionSettings, logger: Logger) {
    const target = parsePostgresUrl(settings.connectionUrl, { username: settings.username, password: settings.password });
    this.#rootPassword = target.password ?? settings.password;
    this.#scram = settings.passwordAuthentication === 'scram-sha-256';
    const sslmode = target.params.sslmode ?? 'disable';
    this.#pool = new pg.Pool({
      ...(target.socketPath ? { host: target.socketPath } : target.host ? { host: target.host } : {}),
      ...(target.port ? { port: target.port } : {}),
      ...(target.user !== undefined ? { user: target.user } : {}),
      ...(target.password !== undefined ? { password: target.password } : {}),
      ...(target.database ? { database: target.database } : {}),
      ssl: sslmode === 'require' || sslmode === 'no-verify' ? { rejectUnauthorized: false } : sslmode.startsWith('verify'),
      application_name: target.params.application_name ?? 'coffer',
      max: settings.maxOpenConnections,
      // pg's pool has no idle-count cap: fewer idle slots than open ones means idle clients go sooner.
      idleTimeoutMillis: settings.maxIdleConnections < settings.maxOpenConnections ? 1000 : 30_000,
      ...(settings.maxConnectionLifetime > 0 ? { maxLifetimeSeconds: settings.maxConnectionLifetime } : {}),
      connectionTimeoutMillis: 10_000,
    });
    // An idle client whose server went away must not take the process down; the pool drops it.
    this.#pool.on('error', (error) => logger.debug({ reason: scrub(error.message, [this.#rootPassword]) }, 'idle database connection closed'));
  }

  async verify(): Promise<void> {
    try {
      await this.#pool.query('SELECT 1');
    } catch (error) {
      throw databaseError(error, 'error verifying connection', [this.#rootPassword]);
    }
  }

  async createUser(user: NewUser): Promise<void> {
    const password = this.#scram ? await scramSha256Verifier(user.password) : user.password;
    const values = { name: user.username, username: user.username, password, expiration: formatGoTime(user.expiration, EXPIRATION_LAYOUT) };
    await this.#transaction(user.statements, values, 'failed to execute query', [user.password, password]);
  }

  async rollbackUser(username: string, statements: readonly string[]): Promise<void> {
    if (statements.length > 0) await this.#transaction(statements, { name: username, username }, 'rollback failed', []);
    else await this.revokeUser(username, []);
  }

  async renewUser(username: string, expiration: Date, statements: readonly string[]): Promise<void> {
    const values = { name: username, username, expiration: formatGoTime(expiration, EXPIRATION_LAYOUT) };
    await this.#transaction(statements.length > 0 ? statements : [DEFAULT_RENEW], values, 'failed to renew user', []);
  }

  /**
   * Login is switched off first and open sessions are terminated before the revocation
   * statements run: PostgreSQL lets DROP ROLE succeed while the role's sessions live on, and a
   * role's sessions can only be found (by its OID) while it exists.
   */
  async revokeUser(username: string, statements: readonly string[]): Promise<void> {
    const secrets = [this.#rootPassword];
    try {
      const found = await this.#pool.query<{ oid: number }>('SELECT oid FROM pg_roles WHERE rolname = $1', [username]);
      const oid = found.rows[0]?.oid;
      if (oid === undefined) return;
      await this.#pool.query(`ALTER ROLE ${quoteIdent(username)} NOLOGIN`);
      await this.#terminate(oid);
      if (statements.length > 0) await this.#transaction(statements, { name: username, username }, 'failed to revoke user', secrets);
      else await this.#defaultRevocation(username);
      await this.#terminate(oid);
    } catch (error) {
      throw databaseError(error, 'failed to revoke user', secrets);
    }
  }

  async setPassword(username: string, password: string, statements: readonly string[]): Promise<void> {
    const value = this.#scram ? await scramSha256Verifier(password) : password;
    const list = statements.length > 0 ? statements : [DEFAULT_PASSWORD_CHANGE];
    await this.#transaction(list, { name: username, username, password: value }, 'failed to set password', [password, value, this.#rootPassword]);
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => undefined);
  }

  async #terminate(oid: number): Promise<void> {
    await this.#pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usesysid = $1 AND pid <> pg_backend_pid()', [oid]);
  }

  /**
   * Vault's default for PostgreSQL: revoke what can be revoked (continuing past failures, to
   * remove as much access as possible), hand owned objects to us, then drop the role.
   */
  async #defaultRevocation(username: string): Promise<void> {
    const user = quoteIdent(username);
    const schemas = await this.#pool.query<{ schema: string }>(
      `SELECT DISTINCT table_schema AS schema FROM information_schema.role_table_grants WHERE grantee = $1
       UNION SELECT DISTINCT table_schema FROM information_schema.role_column_grants WHERE grantee = $1`,
      [username],
    );
    const database = (await this.#pool.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db;
    const steps = [
      ...schemas.rows.flatMap(({ schema }) => [
        `REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA ${quoteIdent(schema)} FROM ${user}`,
        `REVOKE USAGE ON SCHEMA ${quoteIdent(schema)} FROM ${user}`,
      ]),
      `REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA public FROM ${user}`,
      `REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public FROM ${user}`,
      `REVOKE USAGE ON SCHEMA public FROM ${user}`,
      ...(database ? [`REVOKE CONNECT ON DATABASE ${quoteIdent(database)} FROM ${user}`] : []),
      `REASSIGN OWNED BY ${user} TO CURRENT_USER`,
      `DROP OWNED BY ${user}`,
    ];
    for (const step of steps) await this.#retrying(() => this.#pool.query(step)).catch(() => undefined);
    await this.#retrying(() => this.#pool.query(`DROP ROLE IF EXISTS ${user}`));
  }

  /**
   * Runs the statements in one transaction. Concurrent GRANTs on one table collide in the catalogue
   * ("tuple concurrently updated"), as do serialization failures and deadlocks; the transaction
   * rolled back, so it is simply run again.
   */
  async #transaction(entries: readonly string[], values: StatementValues, what: string, secrets: readonly string[]): Promise<void> {
    try {
      await this.#retrying(() => this.#transactionOnce(entries, values, what, secrets));
    } catch (error) {
      throw databaseError(error, what, [...secrets, this.#rootPassword]);
    }
  }

  async #retrying<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isTransient(error)) throw error;
        // Full jitter, growing: colliding transactions must not meet again at the same instant
        // (200 concurrent credentials on a busy machine lost five collisions in a row in CI).
        await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, 10 * 2 ** attempt));
      }
    }
  }

  async #transactionOnce(entries: readonly string[], values: StatementValues, what: string, secrets: readonly string[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw databaseError(error, 'unable to get connection', [...secrets, this.#rootPassword]);
    }
    let failed = false;
    try {
      await client.query('BEGIN');
      for (const statement of splitStatements(entries, 'postgresql')) {
        await client.query(renderStatement(statement, 'postgresql', values).sql);
      }
      await client.query('COMMIT');
    } catch (error) {
      failed = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      // A client that failed mid-transaction may be broken; the pool makes a new one.
      client.release(failed);
    }
  }
}

const MAX_ATTEMPTS = 10;
const MAX_BACKOFF_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isTransient(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === '40001' || code === '40P01' || (code === 'XX000' && typeof message === 'string' && message.includes('concurrently updated'));
}
