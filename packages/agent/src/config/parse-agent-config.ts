import type { AgentConfig, TemplateSettings, VaultConnection } from './agent-config.js';
import { parseAutoAuth } from './parse-auto-auth.js';
import { parseTemplates } from './parse-templates.js';
import { Problems } from './problems.js';
import { readDocument } from './read-document.js';
import { Section } from './section.js';

export interface ParseAgentConfigOptions {
  /** Shown in messages: `agent.hcl:12: …`. */
  fileName: string;
  /** For VAULT_ADDR / COFFER_ADDR and the TLS settings when the file has none. */
  env?: Readonly<Record<string, string | undefined>>;
}

const TOP_LEVEL = ['vault', 'auto_auth', 'template', 'template_config', 'exit_after_auth', 'pid_file', 'log_level'];
/** Vault Agent settings that do not change what gets rendered; accepted with a warning. */
const IGNORED_TOP_LEVEL = [
  'cache',
  'listener',
  'telemetry',
  'api_proxy',
  'log_format',
  'log_file',
  'log_rotate_bytes',
  'log_rotate_duration',
  'log_rotate_max_files',
  'disable_idle_connections',
  'disable_keep_alives',
  'disable_mlock',
];

/**
 * Reads Vault Agent's configuration (HCL or JSON, as the injector writes it). Every problem is
 * reported at once, one per line as `file:line: …`, in an AgentConfigError.
 */
export async function parseAgentConfig(text: string, options: ParseAgentConfigOptions): Promise<AgentConfig> {
  const problems = new Problems(options.fileName);
  const env = options.env ?? {};
  const doc = await readDocument(text, problems);
  problems.throwIfAny();
  const warnings: string[] = [];
  const root = new Section(doc as NonNullable<typeof doc>, problems, '', warnings);
  root.checkKeys(TOP_LEVEL, IGNORED_TOP_LEVEL);

  const vault = parseVault(root, env);
  const autoAuth = root.loc.has('auto_auth') ? parseAutoAuth(root) : undefined;
  const templates = parseTemplates(root);
  const templateConfig = parseTemplateSettings(root);
  const exitAfterAuth = root.bool('exit_after_auth', false);
  const pidFile = root.string('pid_file');
  const logLevel = root.string('log_level');

  const hasAutoAuth = root.loc.has('auto_auth');
  if (!hasAutoAuth && templates.length > 0) {
    problems.add(undefined, 'templates need an auto_auth stanza to get a token from');
  }
  if (!hasAutoAuth && templates.length === 0) {
    problems.add(undefined, 'nothing to do: the file has neither auto_auth nor template stanzas');
  }
  problems.throwIfAny();
  return { vault, autoAuth, templates, templateConfig, exitAfterAuth, pidFile, logLevel, warnings };
}

function parseVault(root: Section, env: Readonly<Record<string, string | undefined>>): VaultConnection {
  const vault = root.sub('vault');
  vault?.checkKeys(['address', 'ca_cert', 'ca_path', 'client_cert', 'client_key', 'tls_skip_verify', 'tls_server_name', 'namespace', 'retry']);
  const pick = (key: string, ...names: string[]) => vault?.string(key) ?? names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const address = pick('address', 'COFFER_ADDR', 'VAULT_ADDR') ?? 'https://127.0.0.1:8200';
  try {
    const url = new URL(address);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    if (vault?.loc.has('address')) vault.bad('address', `must be an http:// or https:// URL, not ${JSON.stringify(address)}`);
    else root.problems.add(undefined, `the Vault address from the environment must be an http:// or https:// URL, not ${JSON.stringify(address)}`);
  }
  const envSkip = ['COFFER_SKIP_VERIFY', 'VAULT_SKIP_VERIFY'].map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const retry = vault?.sub('retry');
  retry?.checkKeys(['num_retries']);
  return {
    address: address.replace(/\/+$/, ''),
    caCert: pick('ca_cert', 'COFFER_CACERT', 'VAULT_CACERT'),
    caPath: pick('ca_path', 'VAULT_CAPATH'),
    clientCert: pick('client_cert', 'VAULT_CLIENT_CERT'),
    clientKey: pick('client_key', 'VAULT_CLIENT_KEY'),
    tlsSkipVerify: vault?.loc.has('tls_skip_verify') ? vault.bool('tls_skip_verify', false) : envSkip !== undefined && !/^(0|false)$/i.test(envSkip),
    tlsServerName: pick('tls_server_name', 'VAULT_TLS_SERVER_NAME'),
    namespace: pick('namespace', 'VAULT_NAMESPACE'),
    numRetries: retry?.integer('num_retries', 12) ?? 12,
  };
}

function parseTemplateSettings(root: Section): TemplateSettings {
  const section = root.sub('template_config');
  section?.checkKeys(['static_secret_render_interval', 'exit_on_retry_failure', 'lease_renewal_threshold'], ['max_connections_per_host']);
  const interval = section?.durationMs('static_secret_render_interval', 5 * 60_000) ?? 5 * 60_000;
  if (section && interval <= 0) section.bad('static_secret_render_interval', 'must be longer than zero');
  return {
    staticSecretRenderIntervalMs: interval > 0 ? interval : 5 * 60_000,
    exitOnRetryFailure: section?.bool('exit_on_retry_failure', false) ?? false,
    leaseRenewalThreshold: section?.fraction('lease_renewal_threshold', 0.9) ?? 0.9,
  };
}
