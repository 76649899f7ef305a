import {
  CofferError,
  emptyTokenParams,
  formatDuration,
  LEGACY_TOKEN_FIELDS,
  TOKEN_FIELDS,
  tokenParamsJson,
  updateTokenParams,
  type Fields,
  type TokenParams,
} from '@coffer/sdk';
import type { RoleCodec } from '../jwt/role-paths.js';
import { parseNamespaceSelector } from './namespace-selector.js';

export type AliasNameSource = 'serviceaccount_uid' | 'serviceaccount_name';

/** A kubernetes role as stored at `role/<name>`. */
export interface KubernetesRole {
  boundServiceAccountNames: string[];
  boundServiceAccountNamespaces: string[];
  /** JSON label selector; empty when unset. */
  boundServiceAccountNamespaceSelector: string;
  audience: string;
  /** Stored and shown as Vault does; Coffer has no identity aliases for it to name yet. */
  aliasNameSource: AliasNameSource;
  token: TokenParams;
}

const FIELDS = {
  bound_service_account_names: { type: 'strings', description: 'Service account names allowed (globs; "*" alone for any).' },
  bound_service_account_namespaces: { type: 'strings', description: 'Namespaces allowed (globs; "*" alone for any).' },
  bound_service_account_namespace_selector: { type: 'string', description: 'A JSON label selector (matchLabels) of allowed namespaces; ORed with the list.' },
  audience: { type: 'string', description: 'The audience the JWT must carry and TokenReview must confirm.' },
  alias_name_source: { type: 'string', description: '"serviceaccount_uid" (default) or "serviceaccount_name".' },
  ...TOKEN_FIELDS,
  ...LEGACY_TOKEN_FIELDS,
} as const satisfies Fields;

const ALIAS_SOURCES: readonly string[] = ['serviceaccount_uid', 'serviceaccount_name'];

/** Writes, checks and shows kubernetes roles with Vault's rules and messages (path_role.go). */
export function kubernetesRoleCodec(maxLeaseTtl: () => number): RoleCodec<KubernetesRole> {
  return {
    fields: FIELDS,
    apply(name, current, fields) {
      const { params: token, warnings } = updateTokenParams(current?.token ?? emptyTokenParams(), fields);
      const role: KubernetesRole = current
        ? { ...current, token }
        : {
            boundServiceAccountNames: [],
            boundServiceAccountNamespaces: [],
            boundServiceAccountNamespaceSelector: '',
            audience: '',
            aliasNameSource: 'serviceaccount_uid',
            token,
          };
      const given = (field: string) => fields[field] !== undefined && fields[field] !== null;
      if (role.token.period > maxLeaseTtl()) {
        throw invalid(`token period of '${formatDuration(role.token.period)}' is greater than the backend's maximum lease TTL of '${formatDuration(maxLeaseTtl())}'`);
      }
      if (role.token.maxTtl > maxLeaseTtl()) {
        warnings.push("max_ttl is greater than the system or backend mount's maximum TTL value; issued tokens' max TTL value will be truncated");
      }

      if (given('bound_service_account_names')) role.boundServiceAccountNames = trimmed(fields.bound_service_account_names as string[]);
      if (role.boundServiceAccountNames.length === 0) throw invalid('"bound_service_account_names" can not be empty');
      if (role.boundServiceAccountNames.length > 1 && role.boundServiceAccountNames.includes('*')) throw invalid('can not mix "*" with values');

      if (given('bound_service_account_namespaces')) role.boundServiceAccountNamespaces = trimmed(fields.bound_service_account_namespaces as string[]);
      if (given('bound_service_account_namespace_selector')) {
        role.boundServiceAccountNamespaceSelector = (fields.bound_service_account_namespace_selector as string).trim();
      }
      if (role.boundServiceAccountNamespaces.length === 0 && role.boundServiceAccountNamespaceSelector === '') {
        throw invalid('"bound_service_account_namespaces" can not be empty if "bound_service_account_namespace_selector" is not set');
      }
      if (role.boundServiceAccountNamespaceSelector !== '') {
        try {
          parseNamespaceSelector(role.boundServiceAccountNamespaceSelector);
        } catch {
          throw invalid('invalid "bound_service_account_namespace_selector" configured');
        }
      }
      if (role.boundServiceAccountNamespaces.length > 1 && role.boundServiceAccountNamespaces.includes('*')) throw invalid('can not mix "*" with values');

      if (given('audience')) role.audience = (fields.audience as string).trim();
      if (role.audience === '') {
        warnings.push(
          `Role ${name} does not have an audience configured. While audiences are not required, consider specifying one if your use case would benefit from additional JWT claim verification.`,
        );
      }
      if (given('alias_name_source')) {
        const source = (fields.alias_name_source as string).trim() || 'serviceaccount_uid';
        if (!ALIAS_SOURCES.includes(source)) throw invalid(`invalid alias_name_source, must be one of: ${ALIAS_SOURCES.join(', ')}`);
        role.aliasNameSource = source as AliasNameSource;
      }
      return { role, warnings };
    },
    json(role) {
      return {
        alias_name_source: role.aliasNameSource,
        ...(role.audience !== '' ? { audience: role.audience } : {}),
        bound_service_account_names: [...role.boundServiceAccountNames],
        bound_service_account_namespace_selector: role.boundServiceAccountNamespaceSelector,
        bound_service_account_namespaces: [...role.boundServiceAccountNamespaces],
        ...tokenParamsJson(role.token),
      };
    },
  };
}

function trimmed(list: readonly string[]): string[] {
  return list.map((s) => s.trim()).filter((s) => s !== '');
}

function invalid(message: string): CofferError {
  return new CofferError('invalid_request', message);
}
