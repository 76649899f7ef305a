import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import { secretPath } from '../secret-path.js';
import type { KvV2Context } from './kv-v2-context.js';
import { subkeys } from './json-shapes.js';
import { isReadable, requestedVersion, versionView } from './version-rules.js';

/** `subkeys/<path>`: a version's structure with every value replaced by null. */
export function subkeysPaths(ctx: KvV2Context): PathDef[] {
  return [
    definePath({
      pattern: 'subkeys/(?<path>.*)',
      summary: "Read a secret's keys without its values.",
      fields: {
        version: { type: 'int', description: 'Version to read; absent or 0 reads the current one' },
        depth: { type: 'int', description: 'Deepest level to report; 0 is unlimited' },
      },
      operations: {
        read: async (request) => {
          const path = secretPath(request.params.path);
          const wanted = requestedVersion(request.fields.version);
          const depth = request.fields.depth ?? 0;
          if (depth < 0) throw new CofferError('invalid_request', 'field "depth" must not be negative');
          return ctx.locks.read(path, async () => {
            const metadata = await ctx.store.readMetadata(path);
            if (!metadata) return undefined;
            const number = wanted > 0 ? wanted : metadata.currentVersion;
            const version = metadata.versions[String(number)];
            if (!version) return undefined;
            const view = versionView(number, version, metadata);
            if (!isReadable(version, ctx.now())) return { status: 404, data: { metadata: view, subkeys: null } };
            const record = await ctx.store.readVersion(path, number);
            if (!record) {
              throw new CofferError('internal', 'internal error', { cause: new Error(`no data for ${path} v${number}`) });
            }
            return { data: { metadata: view, subkeys: subkeys(record.data, depth) } };
          });
        },
      },
    }),
  ];
}
