import { CofferError, type FieldValues } from '@coffer/sdk';
import { redactConnectionUrl } from './connection-url.js';
import type { ConnectionSettings } from './database-plugin.js';
import { findPlugin, PLUGIN_NAMES } from './plugins.js';
import { statementList } from './role-record.js';
import { compileUsernameTemplate } from './username-template.js';

/** A database connection (`config/<name>`), as stored behind the barrier. The password is Coffer's own. */
export interface ConnectionConfig {
  name: string;
  pluginName: string;
  connectionUrl: string;
  username: string;
  password: string;
  /** Role names or globs (`*`, `app-*`) allowed to use this connection; empty allows none. */
  allowedRoles: string[];
  verifyConnection: boolean;
  maxOpenConnections: number;
  maxIdleConnections: number;
  maxConnectionLifetime: number;
  passwordPolicy: string;
  usernameTemplate: string;
  rootRotationStatements: string[];
  passwordAuthentication: 'password' | 'scram-sha-256';
}

export const CONFIG_FIELDS = {
  name: { type: 'string', required: true },
  plugin_name: { type: 'string' },
  plugin_version: { type: 'string' },
  connection_url: { type: 'string', sensitive: true },
  username: { type: 'string' },
  password: { type: 'string', sensitive: true },
  allowed_roles: { type: 'strings' },
  verify_connection: { type: 'bool', default: true },
  max_open_connections: { type: 'int' },
  max_idle_connections: { type: 'int' },
  max_connection_lifetime: { type: 'duration' },
  password_policy: { type: 'string' },
  username_template: { type: 'string' },
  root_rotation_statements: { type: 'any' },
  password_authentication: { type: 'string' },
  disable_escaping: { type: 'bool' },
} as const;

const invalid = (message: string) => new CofferError('invalid_request', message);

/**
 * Applies a write to the stored config: on create every field gets its default; on update only
 * the fields sent change, as Vault merges connection details.
 */
export function applyConfigFields(
  name: string,
  current: ConnectionConfig | undefined,
  fields: FieldValues<typeof CONFIG_FIELDS>,
): ConnectionConfig {
  const pluginName = fields.plugin_name ?? current?.pluginName ?? '';
  if (pluginName === '') throw invalid('empty plugin name');
  const plugin = findPlugin(pluginName);
  if (!plugin) {
    throw invalid(`error creating database object: unknown plugin "${pluginName}"; available: ${PLUGIN_NAMES.join(', ')}`);
  }
  const connectionUrl = fields.connection_url ?? current?.connectionUrl ?? '';
  if (connectionUrl === '') throw invalid('error creating database object: connection_url cannot be empty');
  const username = fields.username ?? current?.username ?? '';
  const password = fields.password ?? current?.password ?? '';
  if ([username, password].some((v) => v.includes('{{username}}') || v.includes('{{password}}'))) {
    throw invalid('error creating database object: username and/or password cannot contain the template variables');
  }
  const maxOpen = fields.max_open_connections ?? current?.maxOpenConnections ?? 4;
  if (maxOpen < 1) throw invalid('max_open_connections must be at least 1');
  const idle = fields.max_idle_connections ?? current?.maxIdleConnections ?? 0;
  const lifetime = fields.max_connection_lifetime ?? current?.maxConnectionLifetime ?? 0;
  const usernameTemplate = fields.username_template ?? current?.usernameTemplate ?? '';
  if (usernameTemplate !== '') compileUsernameTemplate(usernameTemplate);
  const auth = fields.password_authentication ?? current?.passwordAuthentication ?? 'password';
  if (auth !== 'password' && auth !== 'scram-sha-256') {
    throw invalid(`'${auth}' is not a valid password authentication type`);
  }
  if (auth === 'scram-sha-256' && plugin.dialect !== 'postgresql') {
    throw invalid('password_authentication is a PostgreSQL setting');
  }
  return {
    name,
    pluginName: plugin.name,
    connectionUrl,
    username,
    password,
    allowedRoles: fields.allowed_roles ?? current?.allowedRoles ?? [],
    verifyConnection: fields.verify_connection ?? true,
    maxOpenConnections: maxOpen,
    // Vault: 0 means "as many as open", and never more than open.
    maxIdleConnections: Math.min(idle === 0 ? maxOpen : idle, maxOpen),
    maxConnectionLifetime: lifetime,
    passwordPolicy: fields.password_policy ?? current?.passwordPolicy ?? '',
    usernameTemplate,
    rootRotationStatements:
      fields.root_rotation_statements !== undefined
        ? statementList(fields.root_rotation_statements, 'root_rotation_statements')
        : (current?.rootRotationStatements ?? []),
    passwordAuthentication: auth,
  };
}

/** What a read shows, in Vault's shape; never the password. */
export function configJson(config: ConnectionConfig): Record<string, unknown> {
  return {
    plugin_name: config.pluginName,
    plugin_version: '',
    connection_details: {
      connection_url: redactConnectionUrl(config.connectionUrl),
      username: config.username,
      max_open_connections: config.maxOpenConnections,
      max_idle_connections: config.maxIdleConnections,
      max_connection_lifetime: config.maxConnectionLifetime,
      ...(config.usernameTemplate !== '' ? { username_template: config.usernameTemplate } : {}),
      ...(config.pluginName === 'postgresql-database-plugin' ? { password_authentication: config.passwordAuthentication } : {}),
    },
    allowed_roles: config.allowedRoles,
    root_credentials_rotate_statements: config.rootRotationStatements,
    password_policy: config.passwordPolicy,
    verify_connection: config.verifyConnection,
  };
}

export function connectionSettings(config: ConnectionConfig): ConnectionSettings {
  return {
    connectionUrl: config.connectionUrl,
    username: config.username,
    password: config.password,
    maxOpenConnections: config.maxOpenConnections,
    maxIdleConnections: config.maxIdleConnections,
    maxConnectionLifetime: config.maxConnectionLifetime,
    passwordAuthentication: config.passwordAuthentication,
  };
}

/** Vault's allowed_roles: `*` allows every role; other entries are globs with `*` anywhere. */
export function roleAllowed(config: ConnectionConfig, role: string): boolean {
  return config.allowedRoles.some((pattern) => pattern === '*' || globToRegExp(pattern).test(role));
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 'su');
}
