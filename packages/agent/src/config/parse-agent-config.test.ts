import { describe, expect, it } from 'vitest';
import { parseAgentConfig } from './parse-agent-config.js';

const parse = (text: string, fileName = 'agent.hcl', env: Record<string, string> = {}) => parseAgentConfig(text, { fileName, env });

const KUBERNETES = `
pid_file = "/home/vault/.pid"
exit_after_auth = true

vault {
  address         = "https://coffer.internal:8200"
  ca_cert         = "/vault/tls/ca.crt"
  tls_skip_verify = false
}

auto_auth {
  method "kubernetes" {
    mount_path = "auth/kubernetes"
    config = {
      role = "web"
    }
  }
  sink "file" {
    config = {
      path = "/home/vault/.vault-token"
      mode = 0600
    }
  }
}

template {
  destination = "/vault/secrets/db"
  contents    = "{{ with secret \\"database/creds/web\\" }}{{ .Data.username }}{{ end }}"
  perms       = "0640"
  command     = "kill -HUP 1"
  error_on_missing_key = true
}

template {
  destination     = "/vault/secrets/app.json"
  source          = "/vault/configs/app.ctmpl"
  left_delimiter  = "[["
  right_delimiter = "]]"
}

template_config {
  static_secret_render_interval = "30s"
  exit_on_retry_failure         = true
}
`;

describe('parseAgentConfig: good files', () => {
  it('reads the kubernetes method, sinks, templates and settings with Vault defaults filled in', async () => {
    const config = await parse(KUBERNETES);
    expect(config.exitAfterAuth).toBe(true);
    expect(config.pidFile).toBe('/home/vault/.pid');
    expect(config.vault).toMatchObject({ address: 'https://coffer.internal:8200', caCert: '/vault/tls/ca.crt', tlsSkipVerify: false, numRetries: 12 });
    expect(config.autoAuth?.method).toEqual({
      type: 'kubernetes',
      role: 'web',
      tokenPath: '/var/run/secrets/kubernetes.io/serviceaccount/token',
      mountPath: 'auth/kubernetes',
      namespace: undefined,
      minBackoffMs: 1000,
      maxBackoffMs: 300_000,
      exitOnErr: false,
    });
    // `mode = 0600` is octal, as in Vault's HCL.
    expect(config.autoAuth?.sinks).toEqual([{ type: 'file', path: '/home/vault/.vault-token', mode: 0o600 }]);
    expect(config.templates).toHaveLength(2);
    expect(config.templates[0]).toMatchObject({ destination: '/vault/secrets/db', perms: 0o640, command: 'kill -HUP 1', errorOnMissingKey: true, leftDelimiter: '{{' });
    expect(config.templates[1]).toMatchObject({ source: '/vault/configs/app.ctmpl', contents: undefined, perms: undefined, leftDelimiter: '[[', rightDelimiter: ']]' });
    expect(config.templateConfig).toEqual({ staticSecretRenderIntervalMs: 30_000, exitOnRetryFailure: true, leaseRenewalThreshold: 0.9 });
    expect(config.warnings).toEqual([]);
  });

  it("reads the injector's generated JSON (method and sinks with `type`)", async () => {
    const json = JSON.stringify(
      {
        auto_auth: {
          method: { type: 'kubernetes', mount_path: 'auth/kubernetes', config: { role: 'web', token_path: '/var/run/secrets/tokens/vault' }, min_backoff: '2s', exit_on_err: false },
          sink: [{ type: 'file', config: { path: '/home/vault/.vault-token' } }],
        },
        exit_after_auth: false,
        pid_file: '/home/vault/.pid',
        vault: { address: 'http://coffer:8200' },
        template: [{ destination: '/vault/secrets/x', contents: '{{ with secret "secret/x" }}{{ end }}', left_delimiter: '{{', right_delimiter: '}}', command: '', perms: '0640', error_on_missing_key: false }],
        template_config: { exit_on_retry_failure: true, static_secret_render_interval: '5m' },
        listener: [{ type: 'tcp', address: '127.0.0.1:8200', tls_disable: true }],
      },
      null,
      2,
    );
    const config = await parse(json, 'config.json');
    expect(config.autoAuth?.method).toMatchObject({ type: 'kubernetes', tokenPath: '/var/run/secrets/tokens/vault', minBackoffMs: 2000 });
    expect(config.autoAuth?.sinks).toEqual([{ type: 'file', path: '/home/vault/.vault-token', mode: 0o640 }]);
    expect(config.templates[0]).toMatchObject({ perms: 0o640, command: undefined });
    const line = json.split('\n').findIndex((l) => l.includes('"listener"')) + 1;
    expect(config.warnings).toEqual([`config.json:${line}: "listener" is not supported by coffer agent; ignored`]);
  });

  it('reads approle and jwt methods, the `type =` block form, and adds a missing auth/ prefix', async () => {
    const approle = await parse(`
auto_auth {
  method {
    type = "approle"
    mount_path = "approle"
    config = {
      role_id_file_path = "/etc/role-id"
      secret_id_file_path = "/etc/secret-id"
      remove_secret_id_file_after_reading = false
    }
  }
}`);
    expect(approle.autoAuth?.method).toMatchObject({
      type: 'approle',
      mountPath: 'auth/approle',
      roleIdFilePath: '/etc/role-id',
      secretIdFilePath: '/etc/secret-id',
      removeSecretIdFileAfterReading: false,
    });
    expect(approle.warnings[0]).toMatch(/^agent.hcl:5: mount_path "approle" has no "auth\/" prefix/);
    const jwt = await parse('auto_auth {\n  method "jwt" {\n    config = { path = "/var/run/jwt", role = "ci" }\n  }\n}\n');
    expect(jwt.autoAuth?.method).toMatchObject({ type: 'jwt', mountPath: 'auth/jwt', path: '/var/run/jwt', role: 'ci', removeJwtAfterReading: true });
    expect(jwt.autoAuth?.sinks).toEqual([]);
  });

  it('takes the address and TLS settings from the environment when the file has none', async () => {
    const text = 'auto_auth {\n  method "kubernetes" {\n    config = { role = "r" }\n  }\n}\n';
    expect((await parse(text, 'a.hcl', { VAULT_ADDR: 'http://v:8200' })).vault.address).toBe('http://v:8200');
    const both = await parse(text, 'a.hcl', { VAULT_ADDR: 'http://v:8200', COFFER_ADDR: 'http://c:8200/', VAULT_SKIP_VERIFY: 'true', VAULT_CACERT: '/ca' });
    expect(both.vault).toMatchObject({ address: 'http://c:8200', tlsSkipVerify: true, caCert: '/ca' });
    expect((await parse(text)).vault.address).toBe('https://127.0.0.1:8200');
  });
});

describe('parseAgentConfig: bad files give every problem with its line', () => {
  it('unknown keys, bad values, missing required settings', async () => {
    const text = `vault {
  adress = "http://x"
}
exit_after_auth = "maybe"
auto_auth {
  method "kubernetes" {
    min_backoff = "soon"
    config = {
      token_path = "/t"
    }
  }
  sink "file" {
    config = {
      path = "/s"
      mode = "rw-r--r--"
    }
  }
}
template {
  destination = "/a"
  contents    = "x"
  source      = "y"
  perms       = "0999"
  wait { min = "1s" }
}
template {
  contents = "no destination"
}
template_config {
  static_secret_render_interval = "fast"
  lease_renewal_threshold = 2
}
colour = "blue"
`;
    const error = await parse(text).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message.split('\n')).toEqual([
      'agent.hcl:2: unknown key "vault.adress" (expected one of: address, ca_cert, ca_path, client_cert, client_key, tls_skip_verify, tls_server_name, namespace, retry)',
      'agent.hcl:4: "exit_after_auth": must be true or false, not "maybe"',
      'agent.hcl:7: "auto_auth.method.min_backoff": invalid duration "soon"; use seconds or a duration such as "30s", "5m" or "1h30m"',
      'agent.hcl:8: "auto_auth.method.config.role" is required',
      'agent.hcl:15: "auto_auth.sink.config.mode": must be an octal file mode such as "0640", not "rw-r--r--"',
      'agent.hcl:21: "template.contents": only one of "source" or "contents" may be given',
      'agent.hcl:23: "template.perms": must be an octal file mode such as "0640", not "0999"',
      'agent.hcl:26: "template.destination" is required',
      'agent.hcl:30: "template_config.static_secret_render_interval": invalid duration "fast"; use seconds or a duration such as "30s", "5m" or "1h30m"',
      'agent.hcl:31: "template_config.lease_renewal_threshold": must be a number between 0 and 1 (exclusive), not 2',
      'agent.hcl:33: unknown key "colour" (expected one of: vault, auto_auth, template, template_config, exit_after_auth, pid_file, log_level)',
    ]);
  });

  it('unsupported methods and sinks, two methods, min_backoff above max_backoff', async () => {
    const error = await parse(`auto_auth {
  method "aws" {
    config = { role = "x" }
  }
  sink "unix" {
    config = { path = "/x" }
  }
}
`).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      'agent.hcl:2: auth method "aws" is not supported (expected kubernetes, approle or jwt)\nagent.hcl:5: sink type "unix" is not supported (expected file)',
    );
    const backoff = await parse('auto_auth {\n  method "kubernetes" {\n    min_backoff = "10s"\n    max_backoff = "5s"\n    config = { role = "r" }\n  }\n}\n').catch((e: Error) => e);
    expect((backoff as Error).message).toBe('agent.hcl:4: "auto_auth.method.max_backoff": must be longer than min_backoff');
  });

  it('two templates with one destination', async () => {
    const error = await parse(`auto_auth {
  method "kubernetes" {
    config = { role = "r" }
  }
}
template {
  destination = "/same"
  contents = "a"
}
template {
  destination = "/same"
  contents = "b"
}
`).catch((e: Error) => e);
    expect((error as Error).message).toBe('agent.hcl:11: "template.destination": "/same" is already the destination of the template at line 6');
  });

  it('HCL syntax errors with line and column', async () => {
    const error = await parse('vault {\n  address = \n}\n').catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^agent\.hcl:2:\d+: /);
  });

  it('JSON syntax errors, and a file with nothing to do', async () => {
    expect(((await parse('{ "vault": ', 'c.json').catch((e: Error) => e)) as Error).message).toMatch(/^c\.json(:1)?: invalid JSON/);
    expect(((await parse('vault {\n  address = "http://x"\n}\n').catch((e: Error) => e)) as Error).message).toBe(
      'agent.hcl: nothing to do: the file has neither auto_auth nor template stanzas',
    );
  });
});
