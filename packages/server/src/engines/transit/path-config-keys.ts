import { definePath, type PathDef, type Storage } from '@coffer/sdk';
import { decodeJson, encodeJson } from '../../util/json-codec.js';

const CONFIG_KEY = 'config/keys';

/**
 * The mount-wide `config/keys` record: `disable_upsert` stops encrypt from creating keys (then it
 * answers "encryption key not found"), as Vault's. Stored at `config/keys`; read on each upsert,
 * which is rare, so it is not cached.
 */
export async function upsertDisabled(storage: Storage): Promise<boolean> {
  const raw = await storage.get(CONFIG_KEY);
  return raw !== undefined && decodeJson(raw, 'transit config/keys').disable_upsert === true;
}

export function configKeysPaths(storage: Storage): PathDef[] {
  return [
    definePath({
      pattern: 'config/keys',
      summary: 'Configuration common to all keys.',
      fields: { disable_upsert: { type: 'bool', default: false, description: 'Stop encrypt from creating missing keys' } },
      operations: {
        read: async () => ({ data: { disable_upsert: await upsertDisabled(storage) } }),
        update: async (request) => {
          const disable = request.fields.disable_upsert === true;
          if (disable !== (await upsertDisabled(storage))) await storage.put(CONFIG_KEY, encodeJson({ disable_upsert: disable }));
          return { data: { disable_upsert: disable } };
        },
      },
    }),
  ];
}
