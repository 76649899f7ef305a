/** The agent's configuration after parsing and validation: camelCase, defaults filled in. */
export interface AgentConfig {
  vault: VaultConnection;
  autoAuth: AutoAuthConfig | undefined;
  templates: TemplateConfig[];
  templateConfig: TemplateSettings;
  /** Log in, write the sinks, render every template once, exit (init containers). */
  exitAfterAuth: boolean;
  pidFile: string | undefined;
  /** `log_level` from the file, for the CLI to pick its logger with. */
  logLevel: string | undefined;
  /** Stanzas and keys that were recognised but are not implemented, as `file:line: …`. */
  warnings: string[];
}

export interface VaultConnection {
  address: string;
  caCert: string | undefined;
  caPath: string | undefined;
  clientCert: string | undefined;
  clientKey: string | undefined;
  tlsSkipVerify: boolean;
  tlsServerName: string | undefined;
  namespace: string | undefined;
  /** Attempts for each Vault request made by templates (Vault's retry.num_retries, default 12). */
  numRetries: number;
}

export type AuthMethodConfig =
  | { type: 'kubernetes'; role: string; tokenPath: string }
  | { type: 'approle'; roleIdFilePath: string; secretIdFilePath: string | undefined; removeSecretIdFileAfterReading: boolean }
  | { type: 'jwt'; path: string; role: string; removeJwtAfterReading: boolean };

export interface AutoAuthConfig {
  method: AuthMethodConfig & {
    /** e.g. `auth/kubernetes`: always with the `auth/` prefix. */
    mountPath: string;
    namespace: string | undefined;
    minBackoffMs: number;
    maxBackoffMs: number;
    exitOnErr: boolean;
  };
  sinks: FileSinkConfig[];
}

export interface FileSinkConfig {
  type: 'file';
  path: string;
  /** Permission bits, default 0640. */
  mode: number;
}

export interface TemplateConfig {
  destination: string;
  /** Exactly one of contents and source. */
  contents: string | undefined;
  source: string | undefined;
  /** Permission bits; undefined keeps an existing file's mode, else 0644 as consul-template. */
  perms: number | undefined;
  /** A string runs through `/bin/sh -c`; a list runs as argv. */
  command: string | string[] | undefined;
  commandTimeoutMs: number;
  errorOnMissingKey: boolean;
  leftDelimiter: string;
  rightDelimiter: string;
  createDestDirs: boolean;
  /** `file:line` of the stanza, for messages. */
  where: string;
}

export interface TemplateSettings {
  staticSecretRenderIntervalMs: number;
  exitOnRetryFailure: boolean;
  /** Fraction of a non-renewable lease after which the secret is fetched again (0.9). */
  leaseRenewalThreshold: number;
}
