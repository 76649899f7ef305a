import { CofferError, definePath, renewalFrom, type EngineFactory } from '@coffer/sdk';
import { decodeJson, encodeJson } from '../../util/json-codec.js';
import { CONFIG_FIELDS, configJson, parseConfig, type JwtConfig } from './jwt-config.js';
import { jwtRoleCodec, type JwtRole } from './jwt-role.js';
import { JwtVerifier } from './jwt-verifier.js';
import { loginPath } from './path-login.js';
import { KeySetUnavailable } from './remote-key-set.js';
import { rolePaths, RoleStore } from './role-paths.js';

/**
 * The JWT auth method (mount type `jwt`): services log in with a JWT signed by a trusted issuer
 * (static PEM keys, a JWKS URL, or an OIDC provider's discovery document) and get a token with the
 * role's token fields. Login only: there is no OIDC browser flow. Vault's vault-plugin-auth-jwt is
 * the reference for fields, checks and messages.
 */
export const createJwtAuthEngine: EngineFactory = (deps) => {
  const store = new RoleStore<JwtRole>(deps.storage, 'jwt');
  const now = () => deps.system.now();
  let cached: { config: JwtConfig; verifier: JwtVerifier } | undefined;

  const current = async () => {
    if (cached) return cached;
    const raw = await deps.storage.get('config');
    if (raw === undefined) return undefined;
    const config = decodeJson(raw, 'jwt config') as unknown as JwtConfig;
    cached = { config, verifier: new JwtVerifier(config, now) };
    return cached;
  };

  return {
    type: 'jwt',
    unauthenticatedPaths: ['login'],
    paths: [
      definePath({
        pattern: 'config',
        fields: CONFIG_FIELDS,
        summary: 'Configure how token signatures are verified.',
        operations: {
          read: async () => {
            const loaded = await current();
            return loaded ? { data: configJson(loaded.config) } : undefined;
          },
          update: async (req) => {
            const config = parseConfig(req.fields);
            const verifier = new JwtVerifier(config, now);
            try {
              // Vault refuses a remote source it cannot fetch keys from, so a typo shows at once.
              await verifier.load();
            } catch (error) {
              verifier.close();
              if (!(error instanceof KeySetUnavailable)) throw error;
              deps.logger.warn({ reason: error.message }, 'jwt config refused: cannot fetch the keys');
              throw new CofferError(
                'invalid_request',
                config.oidcDiscoveryUrl !== '' ? `error checking oidc discovery URL: ${error.message}` : `error checking jwks URL ${config.jwksUrl}: ${error.message}`,
              );
            }
            await deps.storage.put('config', encodeJson(config as unknown as Record<string, unknown>));
            cached?.verifier.close();
            cached = { config, verifier };
            return undefined;
          },
        },
      }),
      ...rolePaths(store, jwtRoleCodec(() => deps.system.maxLeaseTtl())),
      loginPath(store, current, deps, deps.mount.path.replaceAll('/', '-').replace(/-+$/, '')),
    ],
    async cleanup() {
      cached?.verifier.close();
      cached = undefined;
    },
    async renewAuth(renewal) {
      const name = renewal.internal.role;
      if (typeof name !== 'string' || name === '') throw new CofferError('invalid_request', 'failed to fetch role_name during renewal');
      const role = await store.get(name);
      if (!role) throw new CofferError('invalid_request', `role ${name} does not exist during renewal`);
      return renewalFrom(role.token);
    },
  };
};
