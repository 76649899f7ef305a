import type { AnnotationReader } from './annotation-reader.js';
import type { AgentDefaults } from './settings.js';
import { parseDurationMs } from './values.js';

/** The agent's auto_auth method. */
export interface AuthSpec {
  type: 'kubernetes' | 'jwt';
  /** Always `auth/<mount>`. */
  mountPath: string;
  namespace: string | undefined;
  config: Record<string, string | boolean>;
  minBackoff: string | undefined;
  maxBackoff: string | undefined;
  exitOnErr: boolean;
}

/** What the Coffer agent's methods take in `config` (it refuses anything else). */
const CONFIG_KEYS: Record<AuthSpec['type'], string[]> = {
  kubernetes: ['role', 'token_path'],
  jwt: ['role', 'path', 'remove_jwt_after_reading'],
};

/**
 * `auth-type`, `auth-path`, `role`, `auth-config-<key>`, `namespace`, `auth-min-backoff`,
 * `auth-max-backoff`, `agent-auto-auth-exit-on-err`, over the injector's defaults. The login
 * reads the pod's service-account token (`tokenPath`): token_path for kubernetes, path for jwt.
 */
export function readAuth(r: AnnotationReader, defaults: AgentDefaults, tokenPath: string): AuthSpec {
  const typeText = (r.string('auth-type') ?? defaults.authType).trim();
  const type: AuthSpec['type'] = typeText === 'jwt' ? 'jwt' : 'kubernetes';
  if (typeText !== 'kubernetes' && typeText !== 'jwt') r.bad('auth-type', `${JSON.stringify(typeText)} is not supported by the Coffer agent here (kubernetes or jwt)`);

  // A path without `auth/` is a classic mistake (vault-k8s#75: "missing client token"): add it.
  let mountPath = (r.string('auth-path') ?? defaults.authPath).trim().replace(/^\/+|\/+$/g, '');
  if (mountPath === '' || mountPath === 'auth') r.bad('auth-path', 'is empty');
  if (!mountPath.startsWith('auth/')) mountPath = `auth/${mountPath}`;

  const config: Record<string, string | boolean> = type === 'kubernetes' ? { token_path: tokenPath } : { path: tokenPath, remove_jwt_after_reading: false };
  for (const name of r.annotations.names()) {
    if (!name.startsWith('auth-config-')) continue;
    const key = name.slice('auth-config-'.length).replaceAll('-', '_');
    const value = r.string(name);
    if (value === undefined) continue;
    if (!CONFIG_KEYS[type].includes(key)) {
      r.bad(name, `the Coffer agent's ${type} method takes only ${CONFIG_KEYS[type].join(', ')}`);
      continue;
    }
    config[key] = key === 'remove_jwt_after_reading' ? /^(1|t|true|yes|on)$/i.test(value.trim()) : value.trim();
  }
  const role = r.string('role')?.trim();
  if (role !== undefined) config['role'] = role;
  if (typeof config['role'] !== 'string' || config['role'] === '') {
    r.problems.push(`no role for the agent to log in with: set ${r.annotations.keyOf('role')}`);
  }

  const minBackoff = r.duration('auth-min-backoff', defaults.authMinBackoff);
  const maxBackoff = r.duration('auth-max-backoff', defaults.authMaxBackoff);
  const [min, max] = [parseDurationMs(minBackoff ?? '1s'), parseDurationMs(maxBackoff ?? '5m')];
  if (min !== undefined && min <= 0) r.bad('auth-min-backoff', 'must be longer than zero');
  if (min !== undefined && max !== undefined && min >= max) {
    r.problems.push(`${r.annotations.keyOf('auth-min-backoff')} (${minBackoff ?? '1s'}) must be shorter than ${r.annotations.keyOf('auth-max-backoff')} (${maxBackoff ?? '5m'})`);
  }
  return {
    type,
    mountPath,
    namespace: r.string('namespace')?.trim() ?? defaults.vaultNamespace,
    config,
    minBackoff,
    maxBackoff,
    exitOnErr: r.bool('agent-auto-auth-exit-on-err', false),
  };
}
