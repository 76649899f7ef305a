import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import { applyConfigFields, CONFIG_FIELDS, configJson } from './config-record.js';
import type { DatabaseContext } from './database-context.js';
import { NAME } from './role-record.js';
import { rotateRoot } from './root-rotation.js';

const nameField = { name: { type: 'string', required: true } } as const;

/** `config/` (list), `config/<name>`, `reset/<name>` and `rotate-root/<name>`. */
export function configPaths(ctx: DatabaseContext): PathDef[] {
  const { store, connections } = ctx;
  return [
    definePath({
      pattern: 'config/?',
      summary: 'List the database connections.',
      operations: {
        list: async () => {
          const keys = await store.listConfigs();
          return keys.length === 0 ? undefined : { data: { keys } };
        },
      },
    }),
    definePath({
      pattern: `config/${NAME}`,
      fields: CONFIG_FIELDS,
      summary: 'Configure a connection to a database.',
      exists: async (req) => (await store.config(req.params.name ?? '')) !== undefined,
      operations: {
        read: async (req) => {
          const config = await store.config(req.fields.name as string);
          return config && { data: configJson(config) };
        },
        update: async (req) => {
          const name = req.fields.name as string;
          return connections.lock.write(name, async () => {
            const current = req.operation === 'create' ? undefined : await store.config(name);
            const config = applyConfigFields(name, current, req.fields);
            // The new pool replaces the old only once it is built (and verified when asked).
            await connections.replace(config, config.verifyConnection);
            await store.putConfig(config);
            const warnings = passwordInUrl(config.connectionUrl)
              ? ['Password found in connection_url, use a templated url to enable root rotation and prevent read access to password information.']
              : [];
            return warnings.length > 0 ? { warnings } : undefined;
          });
        },
        delete: async (req) => {
          const name = req.fields.name as string;
          await connections.lock.write(name, async () => {
            await store.deleteConfig(name);
            await connections.close(name);
          });
          return undefined;
        },
      },
    }),
    definePath({
      pattern: `reset/${NAME}`,
      fields: nameField,
      summary: 'Close the connection pool and open a new one.',
      operations: {
        update: async (req) => {
          const name = req.fields.name as string;
          await connections.lock.write(name, async () => {
            const config = await store.config(name);
            if (!config) throw new CofferError('invalid_request', `failed to find entry for connection with name: "${name}"`);
            await connections.close(name);
            await connections.replace(config, true);
          });
          return undefined;
        },
      },
    }),
    definePath({
      pattern: `rotate-root/${NAME}`,
      fields: nameField,
      summary: "Rotate the password Coffer uses to reach the database, to one only Coffer knows.",
      operations: {
        update: async (req) => {
          await rotateRoot(ctx, req.fields.name as string);
          return undefined;
        },
      },
    }),
  ];
}

/** Vault warns when a literal password (not `{{password}}`) sits in the URL's user info. */
function passwordInUrl(url: string): boolean {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^@/]*)@/i.exec(url) ?? /^([^@/]*)@[a-z]+\(/i.exec(url);
  const userinfo = m?.[1];
  if (!userinfo?.includes(':')) return false;
  const password = userinfo.slice(userinfo.indexOf(':') + 1);
  return password !== '' && password !== '{{password}}';
}
