import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentConfig, runAgent } from '../src/index.js';
import { appRoleConfig } from './agent-config-text.js';
import { CaptureLogger, waitFor } from './capture-logger.js';
import { setupAppRole, startTestServer, type TestServer } from './coffer-server.js';

describe('failures exit non-zero with clear logs', () => {
  let server: TestServer;
  let dir: string;
  let ids: Awaited<ReturnType<typeof setupAppRole>>;

  beforeAll(async () => {
    server = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'coffer-agent-fail-'));
    await server.api('PUT', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
    await server.api('PUT', 'secret/data/app', { data: { a: '1' } });
    ids = await setupAppRole(server, dir, { policy: 'app', rules: 'path "secret/data/*" { capabilities = ["read"] }' });
  });
  afterAll(() => server.close());

  let n = 0;
  const config = (contents: string, options: { exitAfterAuth?: boolean; exitOnRetryFailure?: boolean; errorOnMissingKey?: boolean } = {}) =>
    parseAgentConfig(
      appRoleConfig({
        address: server.address,
        roleIdFile: ids.roleIdFile,
        secretIdFile: ids.secretIdFile,
        sink: join(dir, 'token'),
        exitAfterAuth: options.exitAfterAuth ?? true,
        exitOnRetryFailure: options.exitOnRetryFailure ?? false,
        templates: [{ destination: join(dir, `out-${++n}`), contents, errorOnMissingKey: options.errorOnMissingKey ?? false }],
      }),
      { fileName: 'agent.hcl' },
    );

  it('exit_after_auth: a secret that does not exist fails the run after the retries (exit 1)', async () => {
    const logger = new CaptureLogger();
    expect(await runAgent(await config('{{ with secret "secret/nope" }}{{ .Data.data.a }}{{ end }}'), { logger })).toBe(1);
    // num_retries = 3 in the test config: four attempts.
    expect(logger.count('fetching a secret failed; retrying')).toBe(3);
    const failed = logger.lines.find((l) => l.message === 'template could not be rendered');
    expect(String(failed?.fields.error)).toContain('vault.read(secret/nope): no secret exists at secret/data/nope (after 4 attempts)');
  });

  it('exit_after_auth: error_on_missing_key turns a missing key into an error (exit 1)', async () => {
    const parsed = await config('{{ with secret "secret/app" }}{{ .Data.data.b }}{{ end }}', { errorOnMissingKey: true });
    const logger = new CaptureLogger();
    expect(await runAgent(parsed, { logger })).toBe(1);
    const failed = logger.lines.find((l) => l.message === 'template could not be rendered');
    expect(String(failed?.fields.error)).toMatch(/^template: .*:1:\d+: executing ".*" at <\.Data\.data\.b>: map has no entry for key "b"$/);
    await expect(stat(parsed.templates[0]?.destination as string)).rejects.toThrow();
  });

  it('sidecar with exit_on_retry_failure: a template that cannot render ends the agent (exit 1)', async () => {
    const logger = new CaptureLogger();
    const parsed = await config('{{ with secret "secret/missing" }}x{{ end }}', { exitAfterAuth: false, exitOnRetryFailure: true });
    expect(await runAgent(parsed, { logger })).toBe(1);
    expect(logger.count('template could not be rendered; exiting (exit_on_retry_failure)')).toBe(1);
  });

  it('sidecar without it: keeps retrying the render, and renders once the secret appears', async () => {
    const logger = new CaptureLogger();
    const parsed = await config('{{ with secret "secret/later" }}{{ .Data.data.v }}{{ end }}', { exitAfterAuth: false });
    const out = parsed.templates[0]?.destination as string;
    const stop = new AbortController();
    const exit = runAgent(parsed, { logger, signal: stop.signal });
    await waitFor(() => logger.count('template could not be rendered; retrying') >= 1, 'a failed render');
    await server.api('PUT', 'secret/data/later', { data: { v: 'here' } });
    await waitFor(async () => (await stat(out)).isFile(), 'the render once the secret exists');
    stop.abort();
    expect(await exit).toBe(0);
  });
});
