import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, initialisedServer, type CliRunner } from '../../test/harness.js';
import { runCli } from '../run-cli.js';

describe('agent', () => {
  let cli: CliRunner;
  let dir: string;
  let close: () => Promise<void>;
  let address: string;

  beforeAll(async () => {
    const { server, rootToken } = await initialisedServer();
    close = () => server.close();
    address = server.address;
    cli = await cliRunner({ COFFER_ADDR: server.address, COFFER_TOKEN: rootToken });
    dir = await mkdtemp(join(tmpdir(), 'coffer-cli-agent-'));
    const ok = async (args: string[]) => {
      const result = await cli(args);
      if (result.code !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    await ok(['secrets', 'enable', '-path=secret', '-version=2', 'kv']);
    await ok(['kv', 'put', 'secret/app', 'password=from-kv']);
    await ok(['auth', 'enable', 'approle']);
    await writeFile(join(dir, 'app.hcl'), 'path "secret/data/app" { capabilities = ["read"] }');
    await ok(['policy', 'write', 'app', join(dir, 'app.hcl')]);
    await ok(['write', 'auth/approle/role/app', 'token_policies=app']);
    await writeFile(join(dir, 'role-id'), (await ok(['read', '-field=role_id', 'auth/approle/role/app/role-id'])).trim());
    await writeFile(join(dir, 'secret-id'), (await ok(['write', '-f', '-field=secret_id', 'auth/approle/role/app/secret-id'])).trim());
  });
  afterAll(() => close());

  it('-config with exit_after_auth: renders, writes the sink, exits 0 (address from VAULT_ADDR)', async () => {
    const config = join(dir, 'agent.hcl');
    await writeFile(
      config,
      `exit_after_auth = true
auto_auth {
  method "approle" {
    config = {
      role_id_file_path   = "${join(dir, 'role-id')}"
      secret_id_file_path = "${join(dir, 'secret-id')}"
    }
  }
  sink "file" {
    config = { path = "${join(dir, 'token')}" }
  }
}
template {
  destination = "${join(dir, 'out')}"
  perms = "0600"
  contents = "{{ with secret \\"secret/app\\" }}{{ .Data.data.password }}{{ end }}"
}
`,
    );
    const result = await cli(['agent', `-config=${config}`, '-log-level=warn'], { env: { COFFER_ADDR: undefined, VAULT_ADDR: address } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await readFile(join(dir, 'out'), 'utf8')).toBe('from-kv');
    expect((await stat(join(dir, 'out'))).mode & 0o777).toBe(0o600);
    expect((await readFile(join(dir, 'token'), 'utf8')).length).toBeGreaterThan(10);
  });

  it('as a sidecar runs until the signal fires, keeping its pid file meanwhile, then exits 0', async () => {
    const config = join(dir, 'sidecar.hcl');
    const pidFile = join(dir, 'agent.pid');
    const out = join(dir, 'sidecar-out');
    // The first test's agent consumed the secret ID file (Vault's default): issue another.
    const secretId = await cli(['write', '-f', '-field=secret_id', 'auth/approle/role/app/secret-id']);
    await writeFile(join(dir, 'secret-id'), secretId.stdout.trim());
    await writeFile(
      config,
      `pid_file = "${pidFile}"
vault {
  address = "${address}"
}
auto_auth {
  method "approle" {
    config = {
      role_id_file_path   = "${join(dir, 'role-id')}"
      secret_id_file_path = "${join(dir, 'secret-id')}"
      remove_secret_id_file_after_reading = false
    }
  }
}
template {
  destination = "${out}"
  contents = "{{ with secret \\"secret/app\\" }}{{ .Data.data.password }}{{ end }}"
}
`,
    );
    const stop = new AbortController();
    const stderr = new PassThrough();
    let log = '';
    stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const exit = runCli(['agent', `-config=${config}`], { env: {}, stdout: new PassThrough(), stderr, homeDir: cli.homeDir, signal: stop.signal });
    while (!(await readFile(out, 'utf8').catch(() => ''))) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await readFile(out, 'utf8')).toBe('from-kv');
    expect((await readFile(pidFile, 'utf8')).trim()).toBe(String(process.pid));
    stop.abort();
    expect(await exit).toBe(0);
    await expect(stat(pidFile)).rejects.toThrow();
    // pino JSON lines on stderr: the agent's own messages, never the secret.
    expect(log).toContain('"msg":"rendered template"');
    expect(log).not.toContain('from-kv');
  });

  it('refuses a bad config with file:line messages (exit 1), and a missing -config', async () => {
    const config = join(dir, 'bad.hcl');
    await writeFile(config, 'auto_auth {\n  method "kubernetes" {\n    config = { role = "r", tokn_path = "/t" }\n  }\n}\n');
    const result = await cli(['agent', `-config=${config}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Error loading configuration from ${config}:\n\n${config}:3: unknown key "auto_auth.method.config.tokn_path" (expected one of: role, token_path)\n`);
    const missing = await cli(['agent']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Must specify at least one config path using -config');
  });
});
