import type { Logger } from '@coffer/sdk';
import type { Dialect } from './sql-scanner.js';

/** A config's connection settings, as a plugin opens its pool with them. */
export interface ConnectionSettings {
  connectionUrl: string;
  /** Coffer's own database account (the "root" credential), put into `{{username}}`/`{{password}}`. */
  username: string;
  password: string;
  maxOpenConnections: number;
  maxIdleConnections: number;
  /** Seconds; 0 keeps connections as long as they work. */
  maxConnectionLifetime: number;
  /** PostgreSQL only: send SCRAM verifiers instead of passwords. */
  passwordAuthentication: 'password' | 'scram-sha-256';
}

export interface NewUser {
  username: string;
  password: string;
  expiration: Date;
  statements: readonly string[];
}

/**
 * One config's pool and what the engine asks of the database. Every failure is a CofferError
 * with the database's message, secrets scrubbed.
 */
export interface DatabaseConnection {
  /** Runs a trivial query: the database answers and the credentials work. */
  verify(): Promise<void>;
  /** Runs the creation statements (in a transaction where the database has them). */
  createUser(user: NewUser): Promise<void>;
  /** Best effort after a failed creation: the rollback statements, or the default revocation. */
  rollbackUser(username: string, statements: readonly string[]): Promise<void>;
  /** Extends the user's validity (PostgreSQL's VALID UNTIL); MySQL runs only explicit statements. */
  renewUser(username: string, expiration: Date, statements: readonly string[]): Promise<void>;
  /**
   * Destroys the user and cuts its open sessions. A user that is already gone is success, so
   * retries and repeated revocations are safe.
   */
  revokeUser(username: string, statements: readonly string[]): Promise<void>;
  /** Sets a user's password (static roles, root rotation). */
  setPassword(username: string, password: string, statements: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface DatabasePlugin {
  /** The canonical plugin name, as stored and shown. */
  readonly name: string;
  readonly dialect: Dialect;
  /** Vault's default username template for this plugin. */
  readonly defaultUsernameTemplate: string;
  /** The database's limit on user names, in characters. */
  readonly maxUsernameLength: number;
  open(settings: ConnectionSettings, logger: Logger): DatabaseConnection;
}
