import { CofferError, definePath, renewalFrom, type EngineFactory } from '@coffer/sdk';
import { rolePaths, RoleStore } from '../jwt/role-paths.js';
import { CONFIG_FIELDS, configJson, parseConfig } from './kubernetes-config.js';
import { KubernetesConnection } from './kubernetes-connection.js';
import { kubernetesRoleCodec, type KubernetesRole } from './kubernetes-role.js';
import { LOCAL_CA_PATH, LOCAL_TOKEN_PATH, LocalServiceAccount, type LocalServiceAccountPaths } from './local-service-account.js';
import { loginPath } from './path-login.js';

/**
 * The Kubernetes auth method (mount type `kubernetes`): pods log in with their service-account
 * JWT, which the cluster's API server confirms through a TokenReview; the role binds service
 * account names and namespaces to token fields. Vault's vault-plugin-auth-kubernetes is the
 * reference for fields, checks and messages. `paths` moves the in-pod token and CA files (tests).
 */
export function kubernetesAuthEngineFactory(paths: LocalServiceAccountPaths = { tokenPath: LOCAL_TOKEN_PATH, caPath: LOCAL_CA_PATH }): EngineFactory {
  return (deps) => {
    const store = new RoleStore<KubernetesRole>(deps.storage, 'kubernetes');
    const connection = new KubernetesConnection(deps.storage, new LocalServiceAccount(paths, () => deps.system.now()));
    return {
      type: 'kubernetes',
      unauthenticatedPaths: ['login'],
      paths: [
        definePath({
          pattern: 'config',
          fields: CONFIG_FIELDS,
          summary: 'Configure the Kubernetes API server that confirms service-account JWTs.',
          operations: {
            read: async () => {
              const config = await connection.config();
              return config ? { data: configJson(config) } : undefined;
            },
            update: async (req) => {
              await connection.saveConfig(parseConfig(req.fields));
              return undefined;
            },
          },
        }),
        ...rolePaths(store, kubernetesRoleCodec(() => deps.system.maxLeaseTtl())),
        loginPath(store, connection, deps, deps.mount.path.replaceAll('/', '-').replace(/-+$/, '')),
      ],
      async cleanup() {
        connection.close();
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
}

export const createKubernetesAuthEngine: EngineFactory = kubernetesAuthEngineFactory();
