import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentConfig, runAgent } from '../src/index.js';
import { appRoleConfig } from './agent-config-text.js';
import { CaptureLogger } from './capture-logger.js';
import { setupAppRole, startTestServer, type TestServer } from './coffer-server.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

describe('templates written for Vault Agent render unchanged', () => {
  let server: TestServer;
  let dir: string;
  const out = (name: string) => readFile(join(dir, name), 'utf8');

  beforeAll(async () => {
    server = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'coffer-agent-fixtures-'));
    await server.api('PUT', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
    await server.api('PUT', 'sys/mounts/kv1', { type: 'kv', options: { version: '1' } });
    await server.api('PUT', 'secret/data/app', { data: { username: 'app', password: 's3cret' } });
    await server.api('PUT', 'kv1/app', { password: 'v1-pass' });
    const ids = await setupAppRole(server, dir, {
      policy: 'fixtures',
      rules: [
        'path "secret/data/app" { capabilities = ["read"] }',
        'path "secret/data/written" { capabilities = ["update", "create"] }',
        'path "secret/metadata/" { capabilities = ["list"] }',
        'path "kv1/app" { capabilities = ["read"] }',
      ].join('\n'),
    });
    const names = ['kv2-data-path', 'kv2-shimmed-path', 'kv1-password', 'injector-default-map', 'injector-default-json'];
    const text = appRoleConfig({
      address: server.address,
      roleIdFile: ids.roleIdFile,
      secretIdFile: ids.secretIdFile,
      sink: join(dir, 'token'),
      exitAfterAuth: true,
      templates: [
        ...names.map((name) => ({ destination: join(dir, name), source: join(FIXTURES, `${name}.ctmpl`) })),
        { destination: join(dir, 'write'), contents: '{{ with secret "secret/written" "color=blue" " size = XL " }}version={{ .Data.version }}{{ end }}' },
        { destination: join(dir, 'list'), contents: '{{ range secrets "secret/" }}[{{ . }}]{{ end }}' },
      ],
    });
    const code = await runAgent(await parseAgentConfig(text, { fileName: 'fixtures.hcl' }), { logger: new CaptureLogger() });
    expect(code).toBe(0);
  });
  afterAll(() => server.close());

  it('KV v2 through its data/ path and through the shimmed plain path', async () => {
    expect(await out('kv2-data-path')).toBe('s3cret\n');
    expect(await out('kv2-shimmed-path')).toBe('s3cret\n');
  });

  it('a write (arguments after the path) goes through the KV v2 shim; secrets lists keys', async () => {
    expect(await out('write')).toBe('version=1\n');
    expect((await server.api('GET', 'secret/data/written')).data.data).toEqual({ color: 'blue', size: 'XL' });
    expect(await out('list')).toMatch(/^\[app\](\[written\])?\n$/);
  });

  it('KV v1', async () => {
    expect(await out('kv1-password')).toBe('v1-pass\n');
  });

  it("the injector's default map template (KV v2 shows data and metadata maps)", async () => {
    expect(await out('injector-default-map')).toMatch(
      /^data: map\[password:s3cret username:app\]\nmetadata: map\[created_time:\d{4}-[^ ]+ custom_metadata:<nil> deletion_time: destroyed:false version:1\]\n$/,
    );
  });

  it("the injector's default json template (Go's key order)", async () => {
    const text = await out('injector-default-json');
    expect(text).toMatch(/^\{"data":\{"password":"s3cret","username":"app"\},"metadata":\{"created_time":"[^"]+","custom_metadata":null,"deletion_time":"","destroyed":false,"version":1\}\}\n$/);
  });
});
