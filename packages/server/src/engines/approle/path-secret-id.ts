import { randomUUID } from 'node:crypto';
import { cidrBlocksWithin, CofferError, definePath, type EngineDeps, type LogicalResponse, type PathDef } from '@coffer/sdk';
import type { AppRoleStore } from './approle-store.js';
import { ROLE_NAME } from './path-role.js';
import { checkedCidrs, invalid, MAX_HMAC_INPUT, type RoleRecord } from './role-record.js';
import { parseSecretIdMetadata, secretIdJson, type SecretIdRecord } from './secret-id-record.js';

const issueFields = {
  role_name: { type: 'string', required: true },
  metadata: { type: 'string', description: 'JSON object of strings, set on the tokens this secret ID mints.' },
  cidr_list: { type: 'strings', description: 'CIDR blocks this secret ID may log in from.' },
  token_bound_cidrs: { type: 'strings', description: 'CIDR blocks the minted tokens may be used from.' },
  num_uses: { type: 'int', description: 'Logins allowed; 0 is unlimited.' },
  ttl: { type: 'duration', description: 'Lifetime; 0 never expires.' },
} as const;

const secretFields = { role_name: { type: 'string', required: true }, secret_id: { type: 'string', sensitive: true } } as const;
const accessorFields = { role_name: { type: 'string', required: true }, secret_id_accessor: { type: 'string' } } as const;

/** Issue, list, look up and destroy a role's secret IDs, by value or by accessor. */
export function secretIdPaths(store: AppRoleStore, deps: EngineDeps): PathDef[] {
  const existingRole = async (name: string): Promise<RoleRecord> => {
    const role = await store.getRole(name);
    if (!role) throw invalid(`role "${name}" does not exist`);
    return role;
  };

  const issue = async (fields: Record<string, unknown>, secretId: string): Promise<LogicalResponse> => {
    const name = fields.role_name as string;
    if (secretId === '') throw invalid('missing secret_id');
    if (Buffer.byteLength(secretId) > MAX_HMAC_INPUT) throw invalid(`secret_id is longer than maximum of ${MAX_HMAC_INPUT} bytes`);
    const role = await store.getRole(name);
    if (!role) throw new CofferError('not_found', `role "${name}" does not exist`);
    const record = newSecretIdRecord(role, fields, deps.system.now(), deps.system.maxLeaseTtl());
    const roleHmac = store.hmac('role-name', role.name);
    const secretIdHmac = store.hmac('secret-id', secretId);
    await store.secretLock.write(secretIdHmac, async () => {
      if (await store.getSecretId(roleHmac, secretIdHmac)) throw invalid('SecretID is already registered');
      // The accessor goes first: a secret ID is never stored without its accessor.
      await store.putAccessor(record.accessor, { secretIdHmac, roleHmac });
      await store.putSecretId(roleHmac, secretIdHmac, record);
    });
    return {
      data: {
        secret_id: secretId,
        secret_id_accessor: record.accessor,
        secret_id_ttl: cappedTtl(record.ttl, deps.system.maxLeaseTtl()),
        secret_id_num_uses: record.numUses,
      },
    };
  };

  /** Finds a secret ID by value; one whose accessor vanished is removed and refused, as Vault does. */
  const bySecretId = async (fields: Record<string, unknown>, action: (found: Found) => Promise<LogicalResponse | undefined>) => {
    const secretId = (fields.secret_id as string | undefined) ?? '';
    if (secretId === '') throw invalid('missing secret_id');
    const role = await existingRole(fields.role_name as string);
    const roleHmac = store.hmac('role-name', role.name);
    const secretIdHmac = store.hmac('secret-id', secretId);
    return store.secretLock.write(secretIdHmac, async () => {
      const record = await store.getSecretId(roleHmac, secretIdHmac);
      if (!record) return undefined;
      if (!(await store.getAccessor(record.accessor))) {
        await store.deleteSecretId(roleHmac, secretIdHmac, undefined);
        throw invalid('invalid secret id');
      }
      return action({ roleHmac, secretIdHmac, record });
    });
  };

  const byAccessor = async (fields: Record<string, unknown>, destroying: boolean, action: (found: Found) => Promise<LogicalResponse | undefined>) => {
    const accessor = (fields.secret_id_accessor as string | undefined) ?? '';
    if (accessor === '') throw invalid('missing secret_id_accessor');
    const role = await existingRole(fields.role_name as string);
    const roleHmac = store.hmac('role-name', role.name);
    const entry = await store.getAccessor(accessor);
    // An accessor of another role is as unknown here as one that never existed.
    if (!entry || entry.roleHmac !== roleHmac) {
      const message = `failed to find accessor entry for secret_id_accessor: "${accessor}"`;
      throw destroying ? invalid(message) : new CofferError('not_found', message);
    }
    return store.secretLock.write(entry.secretIdHmac, async () => {
      const record = await store.getSecretId(roleHmac, entry.secretIdHmac);
      if (!record) {
        if (destroying) throw new CofferError('permission_denied', 'invalid secret id accessor');
        return undefined;
      }
      return action({ roleHmac, secretIdHmac: entry.secretIdHmac, record });
    });
  };

  const destroy = async ({ roleHmac, secretIdHmac, record }: Found) => {
    await store.deleteSecretId(roleHmac, secretIdHmac, record);
    return undefined;
  };
  const lookup = async ({ record }: Found) => ({ data: secretIdJson(record) });

  return [
    definePath({
      pattern: `role/${ROLE_NAME}/secret-id/?`,
      fields: issueFields,
      summary: 'Generate a secret ID, or list the accessors of the issued ones.',
      operations: {
        update: async (req) => issue(req.fields, randomUUID()),
        list: async (req) => {
          const role = await existingRole(req.fields.role_name as string);
          const roleHmac = store.hmac('role-name', role.name);
          const keys: string[] = [];
          for (const secretIdHmac of await store.listSecretIds(roleHmac)) {
            const record = await store.getSecretId(roleHmac, secretIdHmac);
            if (record) keys.push(record.accessor);
          }
          return keys.length === 0 ? undefined : { data: { keys } };
        },
      },
    }),
    definePath({
      pattern: `role/${ROLE_NAME}/custom-secret-id`,
      fields: { ...issueFields, secret_id: { type: 'string', sensitive: true } },
      summary: 'Register a secret ID chosen by the caller.',
      operations: { update: async (req) => issue(req.fields, req.fields.secret_id ?? '') },
    }),
    definePath({
      pattern: `role/${ROLE_NAME}/secret-id/lookup/?`,
      fields: secretFields,
      operations: { update: async (req) => bySecretId(req.fields, lookup) },
    }),
    definePath({
      pattern: `role/${ROLE_NAME}/secret-id/destroy/?`,
      fields: secretFields,
      operations: { update: async (req) => bySecretId(req.fields, destroy), delete: async (req) => bySecretId(req.fields, destroy) },
    }),
    definePath({
      pattern: `role/${ROLE_NAME}/secret-id-accessor/lookup/?`,
      fields: accessorFields,
      operations: { update: async (req) => byAccessor(req.fields, false, lookup) },
    }),
    definePath({
      pattern: `role/${ROLE_NAME}/secret-id-accessor/destroy/?`,
      fields: accessorFields,
      operations: {
        update: async (req) => byAccessor(req.fields, true, destroy),
        delete: async (req) => byAccessor(req.fields, true, destroy),
      },
    }),
  ];
}

interface Found {
  roleHmac: string;
  secretIdHmac: string;
  record: SecretIdRecord;
}

/**
 * The secret ID's properties from the request and the role, with Vault's rules: CIDRs must lie
 * within the role's, and `num_uses`/`ttl` may narrow the role's limits but never widen them.
 */
function newSecretIdRecord(role: RoleRecord, fields: Record<string, unknown>, now: Date, maxLeaseTtl: number): SecretIdRecord {
  if (!role.bindSecretId) throw invalid('bind_secret_id is not set on the role');
  const cidrList = checkedCidrs((fields.cidr_list as string[] | undefined) ?? [], 'failed to validate CIDR blocks');
  assertWithin(cidrList, role.secretIdBoundCidrs);
  const tokenBoundCidrs = checkedCidrs((fields.token_bound_cidrs as string[] | undefined) ?? [], 'failed to validate token CIDR blocks');
  assertWithin(tokenBoundCidrs, role.token.boundCidrs);

  let numUses = role.secretIdNumUses;
  if (fields.num_uses !== undefined) {
    numUses = fields.num_uses as number;
    if (numUses < 0) throw invalid('num_uses cannot be negative');
    if (role.secretIdNumUses > 0 && (numUses === 0 || numUses > role.secretIdNumUses)) {
      throw invalid("num_uses cannot be higher than the role's secret_id_num_uses");
    }
  }
  let ttl = role.secretIdTtl;
  if (fields.ttl !== undefined) {
    ttl = fields.ttl as number;
    if (role.secretIdTtl > 0 && (ttl === 0 || ttl > role.secretIdTtl)) throw invalid("ttl cannot be longer than the role's secret_id_ttl");
  }
  const metadata = parseSecretIdMetadata(fields.metadata as string | undefined);
  const effective = cappedTtl(ttl, maxLeaseTtl);
  const created = now.toISOString();
  return {
    accessor: randomUUID(),
    numUses,
    ttl,
    creationTime: created,
    expirationTime: effective > 0 ? new Date(now.getTime() + effective * 1000).toISOString() : null,
    lastUpdatedTime: created,
    metadata,
    cidrList,
    tokenBoundCidrs,
  };
}

/** Vault's deriveSecretIDTTL: the mount's max lease TTL caps a secret ID's TTL; 0 stays "never". */
function cappedTtl(ttl: number, maxLeaseTtl: number): number {
  return ttl > maxLeaseTtl ? maxLeaseTtl : ttl;
}

function assertWithin(inner: string[], outer: string[]): void {
  if (!cidrBlocksWithin(inner, outer)) {
    throw invalid(
      `failed to verify subset relationship between CIDR blocks on the role ${JSON.stringify(outer)} and CIDR blocks on the secret ID ${JSON.stringify(inner)}`,
    );
  }
}
