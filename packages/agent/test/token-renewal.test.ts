import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentConfig, runAgent } from '../src/index.js';
import { appRoleConfig } from './agent-config-text.js';
import { CaptureLogger, waitFor } from './capture-logger.js';
import { setupAppRole, startTestServer, type TestServer } from './coffer-server.js';

describe('auth token lifetime', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'coffer-agent-token-'));
    await server.api('PUT', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
    await server.api('PUT', 'secret/data/short/lived', { data: { value: 'v1' } });
  });
  afterAll(() => server.close());

  it('renews a 5 s token before it expires and logs in again when its 15 s max TTL runs out', async () => {
    const ids = await setupAppRole(server, dir, {
      policy: 'short',
      rules: 'path "secret/data/short/*" { capabilities = ["read"] }',
      tokenTtl: '5s',
      tokenMaxTtl: '15s',
    });
    const sink = join(dir, 'token');
    const out = join(dir, 'out.txt');
    const text = appRoleConfig({
      address: server.address,
      roleIdFile: ids.roleIdFile,
      secretIdFile: ids.secretIdFile,
      sink,
      renderInterval: '1s',
      templates: [{ destination: out, contents: '{{ with secret "secret/short/lived" }}{{ .Data.data.value }}{{ end }}' }],
    });
    const logger = new CaptureLogger();
    const stop = new AbortController();
    const exit = runAgent(await parseAgentConfig(text, { fileName: 'agent.hcl' }), { logger, signal: stop.signal });

    const firstToken = await waitFor(() => readFile(sink, 'utf8'), 'the first token');
    await waitFor(() => logger.count('renewed auth token') >= 2, 'two renewals of the first token');
    // Each renewal happened while the token was alive (a dead token cannot renew itself).
    const lookup = await server.api('GET', 'auth/token/lookup-self', undefined, firstToken);
    expect(lookup.data.ttl).toBeGreaterThan(0);

    const secondToken = await waitFor(async () => {
      const token = await readFile(sink, 'utf8');
      return token !== firstToken && token;
    }, 'a new login after the max TTL');
    expect(logger.count('authentication successful')).toBeGreaterThanOrEqual(2);
    expect(logger.lines.some((l) => /maximum TTL/.test(l.message))).toBe(true);
    expect(logger.count('renewing the auth token failed; retrying')).toBe(0);
    expect(logger.count(/could not be rendered/)).toBe(0);

    // The new token works, and the template keeps rendering with it.
    await server.api('GET', 'auth/token/lookup-self', undefined, secondToken);
    await server.api('PUT', 'secret/data/short/lived', { data: { value: 'v2' } });
    await waitFor(async () => (await readFile(out, 'utf8')) === 'v2\n', 'a render with the new token');

    stop.abort();
    expect(await exit).toBe(0);
    expect(logger.text()).not.toContain(firstToken);
    expect(logger.text()).not.toContain(secondToken);
  }, 60_000);
});
