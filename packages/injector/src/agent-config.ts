import { posix } from 'node:path';
import type { AgentSpec } from './agent-spec.js';

/** The agent's home: an in-memory volume per injected container, as in vault-k8s. */
export const AGENT_HOME = '/home/vault';
export const AGENT_CONFIG_FILE = `${AGENT_HOME}/config.json`;
export const TOKEN_SINK = `${AGENT_HOME}/.vault-token`;
export const PID_FILE = `${AGENT_HOME}/.pid`;

/**
 * The agent configuration in Vault Agent's JSON form (what vault-k8s generates, which
 * `coffer agent` reads): the init container's renders once and exits (`exit_after_auth`), the
 * sidecar's keeps the files fresh. That flag is their only difference.
 */
export function agentConfig(spec: AgentSpec, init: boolean): Record<string, unknown> {
  const vault: Record<string, unknown> = { address: spec.vault.address };
  if (spec.vault.caCert) vault['ca_cert'] = spec.vault.caCert;
  if (spec.vault.caPath) vault['ca_path'] = spec.vault.caPath;
  if (spec.vault.clientCert) vault['client_cert'] = spec.vault.clientCert;
  if (spec.vault.clientKey) vault['client_key'] = spec.vault.clientKey;
  if (spec.vault.tlsSkipVerify) vault['tls_skip_verify'] = true;
  if (spec.vault.tlsServerName) vault['tls_server_name'] = spec.vault.tlsServerName;
  if (spec.vault.maxRetries !== undefined) vault['retry'] = { num_retries: spec.vault.maxRetries };

  const method: Record<string, unknown> = { type: spec.auth.type, mount_path: spec.auth.mountPath, config: { ...spec.auth.config } };
  if (spec.auth.namespace) method['namespace'] = spec.auth.namespace;
  if (spec.auth.minBackoff) method['min_backoff'] = spec.auth.minBackoff;
  if (spec.auth.maxBackoff) method['max_backoff'] = spec.auth.maxBackoff;
  if (spec.auth.exitOnErr) method['exit_on_err'] = true;

  const sink = [{ type: 'file', config: { path: TOKEN_SINK } }];
  if (spec.injectToken) sink.push({ type: 'file', config: { path: posix.join(spec.secretVolumePath, 'token') } });

  const templateConfig: Record<string, unknown> = { exit_on_retry_failure: spec.templateConfig.exitOnRetryFailure };
  if (spec.templateConfig.staticSecretRenderInterval) templateConfig['static_secret_render_interval'] = spec.templateConfig.staticSecretRenderInterval;
  if (spec.templateConfig.leaseRenewalThreshold !== undefined) templateConfig['lease_renewal_threshold'] = spec.templateConfig.leaseRenewalThreshold;

  const config: Record<string, unknown> = {
    auto_auth: { method, sink },
    exit_after_auth: init,
    pid_file: PID_FILE,
    vault,
    template: spec.files.map((file) => {
      const template: Record<string, unknown> = {
        destination: file.destination,
        left_delimiter: file.leftDelimiter,
        right_delimiter: file.rightDelimiter,
      };
      if (file.templateFile !== undefined) template['source'] = file.templateFile;
      else template['contents'] = file.contents;
      if (file.command) template['command'] = file.command;
      if (file.perms) template['perms'] = file.perms;
      if (file.errorOnMissingKey) template['error_on_missing_key'] = true;
      return template;
    }),
    template_config: templateConfig,
  };
  if (spec.logLevel) config['log_level'] = spec.logLevel;
  return config;
}

/** The container script: decode the config the env carries, then become the agent (so it gets SIGTERM). */
export const AGENT_SCRIPT = `echo \${VAULT_CONFIG?} | base64 -d > ${AGENT_CONFIG_FILE} && exec coffer agent -config=${AGENT_CONFIG_FILE}`;

/** The value of the VAULT_CONFIG variable: base64 of the JSON, as vault-k8s passes it. */
export function encodeAgentConfig(config: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(config), 'utf8').toString('base64');
}
