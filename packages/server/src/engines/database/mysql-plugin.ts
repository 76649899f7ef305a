import mysql from 'mysql2/promise';
import { parseMysqlDsn } from './connection-url.js';
import { databaseError } from './database-error.js';
import type { ConnectionSettings, DatabaseConnection, DatabasePlugin, NewUser } from './database-plugin.js';
import { EXPIRATION_LAYOUT, formatGoTime } from './go-time-format.js';
import { renderStatement, splitStatements, type StatementValues } from './statements.js';

const DEFAULT_REVOCATION = `REVOKE ALL PRIVILEGES, GRANT OPTION FROM '{{name}}'@'%'; DROP USER '{{name}}'@'%'`;
const DEFAULT_PASSWORD_CHANGE = `ALTER USER '{{username}}'@'%' IDENTIFIED BY '{{password}}'`;
/** ER_NO_SUCH_THREAD: the session ended by itself between listing and KILL. */
const NO_SUCH_THREAD = 1094;

const TEMPLATE =
  '{{ printf "v-%s-%s-%s-%s" (.DisplayName | truncate 10) (.RoleName | truncate 10) (random 20) (unix_time) | truncate 32 }}';
const LEGACY_TEMPLATE = '{{ printf "v-%s-%s" (.RoleName | truncate 4) (random 20) | truncate 16 }}';

function mysqlPlugin(name: string, legacy: boolean): DatabasePlugin {
  return {
    name,
    dialect: 'mysql',
    defaultUsernameTemplate: legacy ? LEGACY_TEMPLATE : TEMPLATE,
    // MySQL 5.7+ allows 32 characters (MariaDB 80); the legacy plugins target servers allowing 16.
    maxUsernameLength: legacy ? 16 : 32,
    open: (settings) => new MysqlConnection(settings),
  };
}

/** MySQL 8 and MariaDB share the protocol and the plugin; the RDS/Aurora/legacy names keep 16-character names. */
export const mysqlPlugins: readonly DatabasePlugin[] = [
  mysqlPlugin('mysql-database-plugin', false),
  mysqlPlugin('mariadb-database-plugin', false),
  mysqlPlugin('mysql-aurora-database-plugin', true),
  mysqlPlugin('mysql-rds-database-plugin', true),
  mysqlPlugin('mysql-legacy-database-plugin', true),
];

class MysqlConnection implements DatabaseConnection {
  readonly #pool: mysql.Pool;
  readonly #rootPassword: string;

  constructor(settings: ConnectionSettings) {
    const target = parseMysqlDsn(settings.connectionUrl, { username: settings.username, password: settings.password });
    this.#rootPassword = target.password ?? settings.password;
    const tls = target.params.tls;
    this.#pool = mysql.createPool({
      ...(target.socketPath ? { socketPath: target.socketPath } : { host: target.host ?? '127.0.0.1', port: target.port ?? 3306 }),
      ...(target.user !== undefined ? { user: target.user } : {}),
      ...(target.password !== undefined ? { password: target.password } : {}),
      ...(target.database ? { database: target.database } : {}),
      ...(tls === 'true' || tls === 'skip-verify' ? { ssl: { rejectUnauthorized: tls === 'true' } } : {}),
      connectionLimit: settings.maxOpenConnections,
      maxIdle: settings.maxIdleConnections,
      idleTimeout: 60_000,
      connectTimeout: 10_000,
      // Statements are ours, one at a time: a `;` inside a value must never start a second one.
      multipleStatements: false,
      timezone: 'Z',
    });
  }

  async verify(): Promise<void> {
    try {
      await this.#pool.query('SELECT 1');
    } catch (error) {
      throw databaseError(error, 'error verifying connection', [this.#rootPassword]);
    }
  }

  async createUser(user: NewUser): Promise<void> {
    const values = { name: user.username, username: user.username, password: user.password, expiration: formatGoTime(user.expiration, EXPIRATION_LAYOUT) };
    await this.#run(user.statements, values, 'failed to execute query', [user.password]);
  }

  async rollbackUser(username: string, statements: readonly string[]): Promise<void> {
    if (statements.length > 0) await this.#run(statements, { name: username, username }, 'rollback failed', []);
    else await this.revokeUser(username, []);
  }

  /** MySQL has no validity date for users: the lease alone governs, unless the role says otherwise. */
  async renewUser(username: string, expiration: Date, statements: readonly string[]): Promise<void> {
    if (statements.length === 0) return;
    await this.#run(statements, { name: username, username, expiration: formatGoTime(expiration, EXPIRATION_LAYOUT) }, 'failed to renew user', []);
  }

  /**
   * The statements run only while the user exists (so a repeat is a no-op), then every session
   * still open under that name is killed: MySQL keeps a dropped user's sessions alive.
   */
  async revokeUser(username: string, statements: readonly string[]): Promise<void> {
    const secrets = [this.#rootPassword];
    try {
      const [found] = await this.#pool.query<mysql.RowDataPacket[]>('SELECT 1 FROM mysql.user WHERE User = ? LIMIT 1', [username]);
      if (found.length > 0) {
        await this.#run(statements.length > 0 ? statements : [DEFAULT_REVOCATION], { name: username, username }, 'failed to revoke user', []);
      }
      const [sessions] = await this.#pool.query<mysql.RowDataPacket[]>(
        'SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND ID <> CONNECTION_ID()',
        [username],
      );
      for (const session of sessions) {
        await this.#pool.query('KILL CONNECTION ?', [Number(session.ID)]).catch((error: unknown) => {
          if ((error as { errno?: number }).errno !== NO_SUCH_THREAD) throw error;
        });
      }
    } catch (error) {
      throw databaseError(error, 'failed to revoke user', secrets);
    }
  }

  async setPassword(username: string, password: string, statements: readonly string[]): Promise<void> {
    const list = statements.length > 0 ? statements : [DEFAULT_PASSWORD_CHANGE];
    await this.#run(list, { name: username, username, password }, 'failed to set password', [password]);
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => undefined);
  }

  /**
   * One connection, statements in order. MySQL commits DDL implicitly, so no transaction is
   * pretended; a failed creation is cleaned up by the rollback statements instead.
   */
  async #run(entries: readonly string[], values: StatementValues, what: string, secrets: readonly string[]): Promise<void> {
    const allSecrets = [...secrets, this.#rootPassword];
    let connection: mysql.PoolConnection;
    try {
      connection = await this.#pool.getConnection();
    } catch (error) {
      throw databaseError(error, 'unable to get connection', allSecrets);
    }
    let failed = false;
    try {
      for (const statement of splitStatements(entries, 'mysql')) {
        const { sql, params } = renderStatement(statement, 'mysql', values);
        // `query`, not `execute`: client-side escaping works for DDL; server-side prepare does not.
        if (params.length > 0) await connection.query(sql, params);
        else await connection.query(sql);
      }
    } catch (error) {
      failed = true;
      throw databaseError(error, what, allSecrets);
    } finally {
      if (failed) connection.destroy();
      else connection.release();
    }
  }
}
