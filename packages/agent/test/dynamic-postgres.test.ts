import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres, type PostgresServer } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentConfig, runAgent } from '../src/index.js';
import { appRoleConfig } from './agent-config-text.js';
import { CaptureLogger, waitFor } from './capture-logger.js';
import { setupAppRole, startTestServer, type TestServer } from './coffer-server.js';

const CREATE = `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON widgets TO "{{name}}";`;
const CREDS = '{{ with secret "database/creds/web" }}{{ .Data.username }}:{{ .Data.password }}{{ end }}';
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'dynamic-creds.ctmpl');

function parseCreds(text: string): { user: string; password: string } {
  const [user = '', password = ''] = text.trim().split(':');
  return { user, password };
}

describe('dynamic PostgreSQL credentials', () => {
  let pg: PostgresServer;
  let server: TestServer;
  let dir: string;
  let ids: Awaited<ReturnType<typeof setupAppRole>>;

  beforeAll(async () => {
    [pg, server] = await Promise.all([startPostgres(), startTestServer()]);
    await pg.query('CREATE TABLE widgets (id int)');
    dir = await mkdtemp(join(tmpdir(), 'coffer-agent-pg-'));
    await server.api('PUT', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
    await server.api('PUT', 'secret/data/web/app', { data: { greeting: 'hello' } });
    await server.api('PUT', 'sys/mounts/database', { type: 'database' });
    await server.api('PUT', 'database/config/pg', {
      plugin_name: 'postgresql-database-plugin',
      connection_url: pg.templateUrl(),
      username: 'postgres',
      password: pg.adminPassword,
      allowed_roles: '*',
    });
    await server.api('PUT', 'database/roles/web', { db_name: 'pg', creation_statements: CREATE, default_ttl: '3s', max_ttl: '9s' });
    ids = await setupAppRole(server, dir, {
      policy: 'web',
      rules: 'path "secret/data/web/*" { capabilities = ["read"] }\npath "database/creds/web" { capabilities = ["read"] }',
    });
  });
  afterAll(async () => {
    await server?.close();
    await pg?.close();
  });

  it('as an init container: renders a KV v2 secret and a credential with the requested modes, exits 0, and the credential logs in', async () => {
    const kvFile = join(dir, 'once-app.txt');
    const dbFile = join(dir, 'once-db.txt');
    const leaseFile = join(dir, 'once-lease.txt');
    const text = appRoleConfig({
      address: server.address,
      roleIdFile: ids.roleIdFile,
      secretIdFile: ids.secretIdFile,
      sink: join(dir, 'once-token'),
      exitAfterAuth: true,
      templates: [
        { destination: kvFile, perms: '0644', contents: '{{ with secret "secret/web/app" }}{{ .Data.data.greeting }}{{ end }}' },
        { destination: dbFile, perms: '0400', source: FIXTURE },
        { destination: leaseFile, contents: '{{ with secret "database/creds/web" }}{{ .LeaseID }} {{ .LeaseDuration }} {{ .Renewable }}{{ end }}' },
      ],
    });
    const logger = new CaptureLogger();
    expect(await runAgent(await parseAgentConfig(text, { fileName: 'init.hcl' }), { logger })).toBe(0);
    expect(await readFile(kvFile, 'utf8')).toBe('hello\n');
    expect((await stat(kvFile)).mode & 0o777).toBe(0o644);
    expect((await stat(dbFile)).mode & 0o777).toBe(0o400);
    const creds = parseCreds(await readFile(dbFile, 'utf8'));
    expect(await pg.canLogin(creds.user, creds.password)).toBe(true);
    // Both templates share the one fetched credential, and see its lease.
    expect(await readFile(leaseFile, 'utf8')).toMatch(/^database\/creds\/web\/\S+ [1-3] true\n$/);
    expect(logger.text()).not.toContain(creds.password);
  });

  it('as a sidecar: renews the lease before expiry, re-issues at max_ttl (file rewritten, command run), both credentials work', async () => {
    const dbFile = join(dir, 'db.txt');
    const runs = join(dir, 'runs.log');
    const text = appRoleConfig({
      address: server.address,
      roleIdFile: ids.roleIdFile,
      secretIdFile: ids.secretIdFile,
      sink: join(dir, 'token'),
      templates: [{ destination: dbFile, perms: '0600', command: `echo x >> ${runs}`, contents: CREDS }],
    });
    const logger = new CaptureLogger();
    const stop = new AbortController();
    const exit = runAgent(await parseAgentConfig(text, { fileName: 'sidecar.hcl' }), { logger, signal: stop.signal });

    const first = parseCreds(await waitFor(() => readFile(dbFile, 'utf8'), 'the first credential'));
    expect(await pg.canLogin(first.user, first.password)).toBe(true);
    await waitFor(() => logger.count('renewed lease') >= 1, 'a lease renewal');
    // Renewed while alive: the credential still logs in past its first 3 s only through renewal.
    expect(await pg.canLogin(first.user, first.password)).toBe(true);

    const second = parseCreds(
      await waitFor(async () => {
        const text = await readFile(dbFile, 'utf8');
        return parseCreds(text).user !== first.user && text;
      }, 'a new credential when max_ttl ends'),
    );
    await waitFor(async () => (await readFile(runs, 'utf8')).trim().split('\n').length === 2, 'the command after the re-issue');
    expect(await pg.canLogin(second.user, second.password)).toBe(true);
    expect((await stat(dbFile)).mode & 0o777).toBe(0o600);
    expect(logger.count('the lease is near its end; fetching a new secret')).toBeGreaterThanOrEqual(1);
    expect(logger.count('renewing the lease failed; retrying')).toBe(0);
    expect(logger.count(/could not be rendered/)).toBe(0);

    stop.abort();
    expect(await exit).toBe(0);
    expect(logger.text()).not.toContain(first.password);
    expect(logger.text()).not.toContain(second.password);
  });
});
