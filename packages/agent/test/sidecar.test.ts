import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentConfig, runAgent } from '../src/index.js';
import { appRoleConfig } from './agent-config-text.js';
import { CaptureLogger, waitFor } from './capture-logger.js';
import { setupAppRole, startTestServer, type TestServer } from './coffer-server.js';

const readOr = (path: string) => readFile(path, 'utf8').catch(() => '');
const lineCount = async (path: string) => (await readOr(path)).split('\n').filter(Boolean).length;

describe('the agent as a sidecar', () => {
  let server: TestServer;
  let dir: string;
  let ids: Awaited<ReturnType<typeof setupAppRole>>;

  beforeAll(async () => {
    server = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'coffer-agent-sidecar-'));
    await server.api('PUT', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
    await server.api('PUT', 'secret/data/web/config', { data: { api_key: 'key-one' } });
    ids = await setupAppRole(server, dir, { policy: 'web', rules: 'path "secret/data/web/*" { capabilities = ["read"] }' });
  });
  afterAll(() => server.close());

  it('follows a changed KV secret within the render interval, runs the command on change only, leaves unchanged files alone', async () => {
    const out = join(dir, 'config.txt');
    const runs = join(dir, 'runs.log');
    const text = appRoleConfig({
      address: server.address,
      roleIdFile: ids.roleIdFile,
      secretIdFile: ids.secretIdFile,
      sink: join(dir, 'token'),
      renderInterval: '1s',
      templates: [
        {
          destination: out,
          perms: '0600',
          command: `echo rendered >> ${runs}`,
          contents: '{{ with secret "secret/web/config" }}api_key={{ .Data.data.api_key }}{{ end }}',
        },
      ],
    });
    const logger = new CaptureLogger();
    const stop = new AbortController();
    const exit = runAgent(await parseAgentConfig(text, { fileName: 'agent.hcl' }), { logger, signal: stop.signal });

    await waitFor(async () => (await readOr(out)) === 'api_key=key-one\n', 'the first render');
    await waitFor(async () => (await lineCount(runs)) === 1, 'the command after the first render');
    const first = await stat(out);
    expect(first.mode & 0o777).toBe(0o600);

    // Two more reads of the unchanged secret: neither rewrites the file nor runs the command.
    const unchanged = logger.count('template unchanged');
    await waitFor(() => logger.count('template unchanged') >= unchanged + 2, 'two unchanged re-renders');
    const again = await stat(out);
    expect(again.mtimeMs).toBe(first.mtimeMs);
    expect(again.ino).toBe(first.ino);
    expect(await lineCount(runs)).toBe(1);

    await server.api('PUT', 'secret/data/web/config', { data: { api_key: 'key-two' } });
    await waitFor(async () => (await readOr(out)) === 'api_key=key-two\n', 'the file to follow the secret');
    await waitFor(async () => (await lineCount(runs)) === 2, 'the command after the change');
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(logger.lines.some((l) => l.message === 'template command finished' && l.fields.exit_code === 0)).toBe(true);

    stop.abort();
    expect(await exit).toBe(0);
    expect(logger.text()).not.toMatch(/key-one|key-two/);
  });
});
