/** An agent config in Vault Agent's HCL for the tests: AppRole auto-auth, one token sink, templates. */
export function appRoleConfig(options: {
  address: string;
  roleIdFile: string;
  secretIdFile: string;
  sink: string;
  exitAfterAuth?: boolean;
  renderInterval?: string;
  exitOnRetryFailure?: boolean;
  templates: { destination: string; contents?: string; source?: string; perms?: string; command?: string; errorOnMissingKey?: boolean }[];
  extra?: string;
}): string {
  const templates = options.templates
    .map(
      (t) => `
template {
  destination = ${JSON.stringify(t.destination)}
  ${t.perms ? `perms = ${JSON.stringify(t.perms)}` : ''}
  ${t.command ? `command = ${JSON.stringify(t.command)}` : ''}
  ${t.errorOnMissingKey ? 'error_on_missing_key = true' : ''}
  ${
    t.source !== undefined
      ? `source = ${JSON.stringify(t.source)}`
      : `contents = <<EOT
${t.contents}
EOT`
  }
}`,
    )
    .join('\n');
  return `
vault {
  address = ${JSON.stringify(options.address)}
  retry {
    num_retries = 3
  }
}
exit_after_auth = ${options.exitAfterAuth ?? false}
auto_auth {
  method "approle" {
    min_backoff = "200ms"
    max_backoff = "2s"
    config = {
      role_id_file_path   = ${JSON.stringify(options.roleIdFile)}
      secret_id_file_path = ${JSON.stringify(options.secretIdFile)}
      remove_secret_id_file_after_reading = false
    }
  }
  sink "file" {
    config = {
      path = ${JSON.stringify(options.sink)}
    }
  }
}
template_config {
  static_secret_render_interval = ${JSON.stringify(options.renderInterval ?? '5m')}
  exit_on_retry_failure = ${options.exitOnRetryFailure ?? false}
}
${templates}
${options.extra ?? ''}
`;
}
