import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentConfig, runAgent } from '../src/index.js';
import { CaptureLogger } from './capture-logger.js';
import { setupAppRole, startTestServer, type TestServer } from './coffer-server.js';

describe('exit_after_auth (init container) with AppRole', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'coffer-agent-once-'));
    await server.api('PUT', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
    await server.api('PUT', 'secret/data/app/db', { data: { username: 'app', password: 's3cret-pw' } });
  });
  afterAll(() => server.close());

  it('renders the KV v2 secret with the requested mode, writes the token sink and exits 0', async () => {
    const { roleIdFile, secretIdFile } = await setupAppRole(server, dir, {
      policy: 'app',
      rules: 'path "secret/data/app/*" { capabilities = ["read"] }',
    });
    const text = `
vault {
  address = "${server.address}"
}
exit_after_auth = true
auto_auth {
  method "approle" {
    config = {
      role_id_file_path   = "${roleIdFile}"
      secret_id_file_path = "${secretIdFile}"
    }
  }
  sink "file" {
    config = {
      path = "${join(dir, 'token')}"
      mode = 0600
    }
  }
}
template {
  destination = "${join(dir, 'db.env')}"
  perms       = "0640"
  contents    = <<EOT
{{ with secret "secret/app/db" }}DB_USER={{ .Data.data.username }}
DB_PASSWORD={{ .Data.data.password }}{{ end }}
EOT
}
`;
    const config = await parseAgentConfig(text, { fileName: 'agent.hcl' });
    const logger = new CaptureLogger();
    const code = await runAgent(config, { logger });
    expect(code).toBe(0);
    expect(await readFile(join(dir, 'db.env'), 'utf8')).toBe('DB_USER=app\nDB_PASSWORD=s3cret-pw\n');
    expect((await stat(join(dir, 'db.env'))).mode & 0o777).toBe(0o640);
    const token = await readFile(join(dir, 'token'), 'utf8');
    expect((await stat(join(dir, 'token'))).mode & 0o777).toBe(0o600);
    const self = await server.api('GET', 'auth/token/lookup-self', undefined, token);
    expect(self.data.policies).toContain('app');
    // Vault's default: the secret ID file is consumed.
    await expect(stat(secretIdFile)).rejects.toThrow();
    expect(logger.text()).not.toContain('s3cret-pw');
    expect(logger.text()).not.toContain(token);
  });
});
