import type { DatabasePlugin } from './database-plugin.js';
import { mysqlPlugins } from './mysql-plugin.js';
import { postgresPlugin } from './postgres-plugin.js';

const PLUGINS = new Map<string, DatabasePlugin>([postgresPlugin, ...mysqlPlugins].map((p) => [p.name, p]));

/** Short spellings people write (`mariadb`, `mysql`, `postgresql`), resolved to the plugin's name. */
const ALIASES: Record<string, string> = {
  postgresql: 'postgresql-database-plugin',
  postgres: 'postgresql-database-plugin',
  mysql: 'mysql-database-plugin',
  mariadb: 'mariadb-database-plugin',
};

export function findPlugin(name: string): DatabasePlugin | undefined {
  const key = name.trim().toLowerCase();
  return PLUGINS.get(ALIASES[key] ?? key);
}

export const PLUGIN_NAMES: readonly string[] = [...PLUGINS.keys()];
