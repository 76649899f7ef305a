import { parse as parseYaml } from 'yaml';
import { arr, checkShape, obj, str, type Shape } from './shapes.js';

/**
 * Our schemas for the custom resources deploy/examples ships: External Secrets Operator's
 * SecretStore and ExternalSecret (external-secrets.io/v1, Vault provider) and the Secrets Store CSI
 * driver's SecretProviderClass (HashiCorp's Vault provider). They cover the fields those projects
 * define for the parts we use (reference/k8s.md §4), closed so that a misspelt key is reported.
 */

const secretKeyRef = obj({ name: str(), key: str(), namespace: str() }, { required: ['name'] });
const metadata = obj(
  { name: str({ pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/ }), namespace: str(), labels: { type: 'map', values: str() }, annotations: { type: 'map', values: str() } },
  { required: ['name'] },
);

const vaultAuth = obj(
  {
    kubernetes: obj(
      {
        mountPath: str(),
        role: str(),
        serviceAccountRef: obj({ name: str(), namespace: str(), audiences: arr(str()) }, { required: ['name'] }),
        secretRef: secretKeyRef,
      },
      { required: ['mountPath', 'role'] },
    ),
    tokenSecretRef: secretKeyRef,
    appRole: obj({ path: str(), roleId: str(), roleRef: secretKeyRef, secretRef: secretKeyRef }, { required: ['path', 'secretRef'] }),
    // Login for the other methods is ESO's business; their fields are not checked here.
    jwt: { type: 'any' },
    ldap: { type: 'any' },
    userPass: { type: 'any' },
    cert: { type: 'any' },
    iam: { type: 'any' },
    gcp: { type: 'any' },
    namespace: str(),
  },
  { exactlyOne: ['kubernetes', 'tokenSecretRef', 'appRole', 'jwt', 'ldap', 'userPass', 'cert', 'iam', 'gcp'] },
);

const secretStore: Shape = obj(
  {
    apiVersion: str({ oneOf: ['external-secrets.io/v1', 'external-secrets.io/v1beta1'] }),
    kind: str({ oneOf: ['SecretStore', 'ClusterSecretStore'] }),
    metadata,
    spec: obj(
      {
        provider: obj(
          {
            vault: obj(
              {
                server: str({ pattern: /^https?:\/\/[^\s/]+/ }),
                path: str(),
                version: str({ oneOf: ['v1', 'v2'] }),
                namespace: str(),
                caBundle: str(),
                caProvider: obj({ type: str({ oneOf: ['Secret', 'ConfigMap'] }), name: str(), key: str(), namespace: str() }, { required: ['type', 'name'] }),
                readYourWrites: { type: 'boolean' },
                forwardInconsistent: { type: 'boolean' },
                headers: { type: 'map', values: str() },
                auth: vaultAuth,
              },
              { required: ['server', 'auth'] },
            ),
          },
          { required: ['vault'] },
        ),
        refreshInterval: { type: 'integer' },
        retrySettings: obj({ maxRetries: { type: 'integer' }, retryInterval: str() }),
        conditions: { type: 'any' },
        controller: str(),
      },
      { required: ['provider'] },
    ),
  },
  { required: ['apiVersion', 'kind', 'metadata', 'spec'] },
);

const remoteRef = obj(
  {
    key: str(),
    property: str(),
    version: str(),
    metadataPolicy: str({ oneOf: ['None', 'Fetch'] }),
    conversionStrategy: str({ oneOf: ['Default', 'Unicode'] }),
    decodingStrategy: str({ oneOf: ['Auto', 'Base64', 'Base64URL', 'None'] }),
  },
  { required: ['key'] },
);

const externalSecret: Shape = obj(
  {
    apiVersion: str({ oneOf: ['external-secrets.io/v1', 'external-secrets.io/v1beta1'] }),
    kind: str({ oneOf: ['ExternalSecret'] }),
    metadata,
    spec: obj(
      {
        refreshInterval: str({ pattern: /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/ }),
        secretStoreRef: obj({ name: str(), kind: str({ oneOf: ['SecretStore', 'ClusterSecretStore'] }) }, { required: ['name'] }),
        target: obj(
          {
            name: str(),
            creationPolicy: str({ oneOf: ['Owner', 'Orphan', 'Merge', 'None'] }),
            deletionPolicy: str({ oneOf: ['Delete', 'Merge', 'Retain'] }),
            template: { type: 'any' },
            immutable: { type: 'boolean' },
          },
        ),
        data: arr(obj({ secretKey: str(), remoteRef }, { required: ['secretKey', 'remoteRef'] })),
        dataFrom: arr(
          obj(
            {
              extract: remoteRef,
              find: obj({ path: str(), name: obj({ regexp: str() }, { required: ['regexp'] }), tags: { type: 'map', values: str() }, conversionStrategy: str(), decodingStrategy: str() }),
              rewrite: { type: 'any' },
            },
            { exactlyOne: ['extract', 'find'] },
          ),
        ),
      },
      { required: ['secretStoreRef'] },
    ),
  },
  { required: ['apiVersion', 'kind', 'metadata', 'spec'] },
);

/** The Vault provider's parameters (all strings, as the driver passes them). */
const VAULT_PARAMETERS = obj(
  {
    vaultAddress: str({ pattern: /^(https?|unix):\/\/\S+$/ }),
    roleName: str(),
    vaultAuthMountPath: str(),
    vaultKubernetesMountPath: str(),
    vaultNamespace: str(),
    vaultSkipTLSVerify: str({ oneOf: ['true', 'false'] }),
    vaultCACertPath: str(),
    vaultCADirectory: str(),
    vaultTLSServerName: str(),
    vaultTLSClientCertPath: str(),
    vaultTLSClientKeyPath: str(),
    audience: str(),
    objects: str(),
  },
  { required: ['roleName', 'objects'] },
);

const vaultObject = obj(
  {
    objectName: str({ pattern: /^[^/]+$/ }),
    secretPath: str(),
    secretKey: str(),
    method: str({ oneOf: ['GET', 'POST', 'PUT', 'LIST', 'DELETE'] }),
    secretArgs: { type: 'map', values: { type: 'any' } },
    filePermission: { type: 'integer' },
    encoding: str({ oneOf: ['utf-8', 'base64', 'hex'] }),
  },
  { required: ['objectName', 'secretPath'] },
);

const secretProviderClass: Shape = obj(
  {
    apiVersion: str({ oneOf: ['secrets-store.csi.x-k8s.io/v1'] }),
    kind: str({ oneOf: ['SecretProviderClass'] }),
    metadata,
    spec: obj(
      {
        provider: str({ oneOf: ['vault'] }),
        parameters: VAULT_PARAMETERS,
        secretObjects: arr(
          obj(
            {
              secretName: str(),
              type: str(),
              data: arr(obj({ objectName: str(), key: str() }, { required: ['objectName', 'key'] }), 1),
              labels: { type: 'map', values: str() },
              annotations: { type: 'map', values: str() },
            },
            { required: ['secretName', 'type', 'data'] },
          ),
        ),
      },
      { required: ['provider', 'parameters'] },
    ),
  },
  { required: ['apiVersion', 'kind', 'metadata', 'spec'] },
);

/** The custom resources we know, by `<group>/<kind>`. */
const SHAPES: Record<string, Shape> = {
  'external-secrets.io/SecretStore': secretStore,
  'external-secrets.io/ClusterSecretStore': secretStore,
  'external-secrets.io/ExternalSecret': externalSecret,
  'secrets-store.csi.x-k8s.io/SecretProviderClass': secretProviderClass,
};

/** The problems of a custom resource, or undefined when it is not one we have a schema for. */
export function checkCustomResource(object: Record<string, unknown>): string[] | undefined {
  const group = String(object['apiVersion'] ?? '').split('/')[0] ?? '';
  const shape = SHAPES[`${group}/${String(object['kind'])}`];
  if (!shape) return undefined;
  const problems = checkShape(object, shape, '');
  if (object['kind'] === 'SecretProviderClass') problems.push(...checkVaultObjects(object));
  return problems;
}

/** Rules the provider applies to its parameters beyond their shape: the `objects` YAML list, one mount path. */
function checkVaultObjects(object: Record<string, unknown>): string[] {
  const parameters = ((object['spec'] as Record<string, unknown> | undefined)?.['parameters'] ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if ('vaultAuthMountPath' in parameters && 'vaultKubernetesMountPath' in parameters) {
    problems.push('spec.parameters: give vaultAuthMountPath or vaultKubernetesMountPath, not both');
  }
  if (typeof parameters['objects'] !== 'string') return problems;
  let objects: unknown;
  try {
    objects = parseYaml(parameters['objects']);
  } catch (error) {
    return [...problems, `spec.parameters.objects: not YAML: ${(error as Error).message}`];
  }
  problems.push(...checkShape(objects, arr(vaultObject, 1), 'spec.parameters.objects'));
  const names = Array.isArray(objects) ? objects.map((o) => (o as { objectName?: unknown }).objectName) : [];
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) problems.push(`spec.parameters.objects: objectName "${String(duplicate)}" is used twice`);
  return problems;
}
