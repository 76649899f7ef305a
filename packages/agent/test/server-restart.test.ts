import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentConfig, runAgent } from '../src/index.js';
import { appRoleConfig } from './agent-config-text.js';
import { CaptureLogger, waitFor } from './capture-logger.js';
import { setupAppRole, startTestServer, type TestServer } from './coffer-server.js';

describe('a Coffer server restart under a running agent', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer({ fileStorage: true });
    dir = await mkdtemp(join(tmpdir(), 'coffer-agent-restart-'));
    await server.api('PUT', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
    await server.api('PUT', 'secret/data/app/db', { data: { password: 'before' } });
  });
  afterAll(() => server.close());

  it('changes nothing for the rendered files, and the agent carries on afterwards', async () => {
    const ids = await setupAppRole(server, dir, { policy: 'app', rules: 'path "secret/data/app/*" { capabilities = ["read"] }' });
    const out = join(dir, 'db.txt');
    const runs = join(dir, 'runs.log');
    const text = appRoleConfig({
      address: server.address,
      roleIdFile: ids.roleIdFile,
      secretIdFile: ids.secretIdFile,
      sink: join(dir, 'token'),
      renderInterval: '1s',
      templates: [{ destination: out, command: `echo x >> ${runs}`, contents: '{{ with secret "secret/app/db" }}{{ .Data.data.password }}{{ end }}' }],
    });
    const logger = new CaptureLogger();
    const stop = new AbortController();
    const exit = runAgent(await parseAgentConfig(text, { fileName: 'agent.hcl' }), { logger, signal: stop.signal });
    await waitFor(async () => (await readFile(out, 'utf8')) === 'before\n', 'the first render');
    const before = await stat(out);
    const token = await readFile(join(dir, 'token'), 'utf8');

    await server.stop();
    await waitFor(() => logger.count('fetching a secret failed; retrying') >= 1, 'the agent to notice the server is gone');
    await server.restart();
    const unchanged = logger.count('template unchanged');
    await waitFor(() => logger.count('template unchanged') >= unchanged + 2, 'renders after the restart');

    const after = await stat(out);
    expect(await readFile(out, 'utf8')).toBe('before\n');
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino);
    expect((await readFile(runs, 'utf8')).trim().split('\n')).toHaveLength(1);
    // The token survived the restart: no new login was needed.
    expect(await readFile(join(dir, 'token'), 'utf8')).toBe(token);
    expect(logger.count('authentication successful')).toBe(1);

    await server.api('PUT', 'secret/data/app/db', { data: { password: 'after' } });
    await waitFor(async () => (await readFile(out, 'utf8')) === 'after\n', 'the file to follow a change after the restart');

    stop.abort();
    expect(await exit).toBe(0);
  });
});
