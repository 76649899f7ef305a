import { CofferError, type FieldValues } from '@coffer/sdk';

/** Vault's framework.GenericNameRegex for config and role names. */
export const NAME = String.raw`(?<name>\w(?:[\w.-]*\w)?)`;

/** A dynamic role (`roles/<name>`): how `creds/<name>` makes, renews and destroys users. */
export interface RoleRecord {
  dbName: string;
  creationStatements: string[];
  revocationStatements: string[];
  rollbackStatements: string[];
  renewStatements: string[];
  /** Seconds; 0 means the mount's default lease TTL. */
  defaultTtl: number;
  /** Seconds; 0 means the mount's max lease TTL. */
  maxTtl: number;
}

export const ROLE_FIELDS = {
  name: { type: 'string', required: true },
  db_name: { type: 'string' },
  creation_statements: { type: 'any' },
  revocation_statements: { type: 'any' },
  rollback_statements: { type: 'any' },
  renew_statements: { type: 'any' },
  default_ttl: { type: 'duration' },
  max_ttl: { type: 'duration' },
  credential_type: { type: 'string' },
} as const;

const invalid = (message: string) => new CofferError('invalid_request', message);

/**
 * Statements arrive as a list of strings or one string (Vault's TypeStringSlice). A string is
 * never split on commas: SQL is full of them.
 */
export function statementList(raw: unknown, field: string): string[] {
  if (raw === '' || raw === null || raw === undefined) return [];
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw) && raw.every((s) => typeof s === 'string')) return (raw as string[]).filter((s) => s.trim() !== '');
  throw invalid(`field "${field}" must be a string or a list of strings`);
}

/** Only passwords are issued (Vault's default credential_type). */
export function checkCredentialType(value: string | undefined): void {
  if (value !== undefined && value !== '' && value !== 'password') {
    throw invalid(`invalid credential_type "${value}": only "password" is supported`);
  }
}

export function applyRoleFields(current: RoleRecord | undefined, fields: FieldValues<typeof ROLE_FIELDS>): RoleRecord {
  checkCredentialType(fields.credential_type);
  const statements = (key: keyof typeof ROLE_FIELDS, existing: string[] | undefined) =>
    fields[key] !== undefined ? statementList(fields[key], key) : (existing ?? []);
  const role: RoleRecord = {
    dbName: fields.db_name ?? current?.dbName ?? '',
    creationStatements: statements('creation_statements', current?.creationStatements),
    revocationStatements: statements('revocation_statements', current?.revocationStatements),
    rollbackStatements: statements('rollback_statements', current?.rollbackStatements),
    renewStatements: statements('renew_statements', current?.renewStatements),
    defaultTtl: fields.default_ttl ?? current?.defaultTtl ?? 0,
    maxTtl: fields.max_ttl ?? current?.maxTtl ?? 0,
  };
  if (role.dbName === '') throw invalid('database name is required');
  // Stricter than Vault, which silently caps: a role whose TTL can never be granted is a mistake.
  if (role.maxTtl > 0 && role.defaultTtl > role.maxTtl) throw invalid('default_ttl cannot be greater than max_ttl');
  return role;
}

export function roleJson(role: RoleRecord): Record<string, unknown> {
  return {
    db_name: role.dbName,
    creation_statements: role.creationStatements,
    revocation_statements: role.revocationStatements,
    rollback_statements: role.rollbackStatements,
    renew_statements: role.renewStatements,
    default_ttl: role.defaultTtl,
    max_ttl: role.maxTtl,
    credential_type: 'password',
  };
}
