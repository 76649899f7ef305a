import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubernetesFake, type KubernetesFake } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentConfig, runAgent } from '../src/index.js';
import { CaptureLogger, waitFor } from './capture-logger.js';
import { startTestServer, type TestServer } from './coffer-server.js';

const TEMPLATE = '{{ with secret "secret/web/config" }}{{ .Data.data.color }}{{ end }}';

describe('kubernetes and jwt auto-auth against the Kubernetes API fake', () => {
  let server: TestServer;
  let k8s: KubernetesFake;
  let dir: string;

  beforeAll(async () => {
    [server, k8s] = await Promise.all([startTestServer(), startKubernetesFake()]);
    dir = await mkdtemp(join(tmpdir(), 'coffer-agent-k8s-'));
    await server.api('PUT', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
    await server.api('PUT', 'secret/data/web/config', { data: { color: 'teal' } });
    await server.api('PUT', 'sys/policies/acl/web', { policy: 'path "secret/data/web/*" { capabilities = ["read"] }' });
    await server.api('PUT', 'sys/auth/kubernetes', { type: 'kubernetes' });
    await server.api('PUT', 'auth/kubernetes/config', { kubernetes_host: k8s.url, kubernetes_ca_cert: k8s.caPem, token_reviewer_jwt: k8s.reviewerToken });
    await server.api('PUT', 'auth/kubernetes/role/web', {
      bound_service_account_names: ['web'],
      bound_service_account_namespaces: ['app'],
      token_policies: ['web'],
      token_ttl: '3s',
      token_max_ttl: '4s',
    });
    await server.api('PUT', 'sys/auth/jwt', { type: 'jwt' });
    await server.api('PUT', 'auth/jwt/config', { jwt_validation_pubkeys: [k8s.publicKeyPem], bound_issuer: k8s.issuer });
    await server.api('PUT', 'auth/jwt/role/ci', { role_type: 'jwt', bound_audiences: ['coffer'], user_claim: 'sub', token_policies: ['web'] });
  });
  afterAll(async () => {
    await server?.close();
    await k8s?.close();
  });

  it('kubernetes: logs in as the pod, and re-reads the rotated token file at the next login', async () => {
    const tokenPath = join(dir, 'sa-token');
    const first = await k8s.issueServiceAccountToken({ namespace: 'app', name: 'web' });
    await writeFile(tokenPath, `${first}\n`);
    const out = join(dir, 'k8s.txt');
    const text = `
vault { address = "${server.address}" }
auto_auth {
  method "kubernetes" {
    mount_path = "auth/kubernetes"
    config = {
      role       = "web"
      token_path = "${tokenPath}"
    }
  }
}
template {
  destination = "${out}"
  contents    = ${JSON.stringify(TEMPLATE)}
}
`;
    const logger = new CaptureLogger();
    const stop = new AbortController();
    const exit = runAgent(await parseAgentConfig(text, { fileName: 'k8s.hcl' }), { logger, signal: stop.signal });
    await waitFor(async () => (await readFile(out, 'utf8')) === 'teal', 'the render after the kubernetes login');
    expect(k8s.tokenReviews.map((r) => r.token)).toContain(first);

    // The projected token rotates; the next login (the 4 s max TTL forces one) must use the new one.
    const second = await k8s.issueServiceAccountToken({ namespace: 'app', name: 'web' });
    expect(second).not.toBe(first);
    await writeFile(tokenPath, second);
    await waitFor(() => k8s.tokenReviews.some((r) => r.token === second && r.authenticated), 'a login with the rotated token');
    expect(logger.count('authentication failed')).toBe(0);
    stop.abort();
    expect(await exit).toBe(0);
    expect(logger.text()).not.toContain(first);
    expect(logger.text()).not.toContain(second);
  });

  it('jwt: logs in with the JWT file, which is removed after reading (Vault default), exit_after_auth', async () => {
    const jwtPath = join(dir, 'ci.jwt');
    const now = Math.floor(Date.now() / 1000);
    await writeFile(jwtPath, await k8s.signJwt({ iss: k8s.issuer, sub: 'pipeline-7', aud: ['coffer'], iat: now, nbf: now, exp: now + 300 }));
    const out = join(dir, 'jwt.txt');
    const text = `
vault { address = "${server.address}" }
exit_after_auth = true
auto_auth {
  method "jwt" {
    config = {
      path = "${jwtPath}"
      role = "ci"
    }
  }
}
template {
  destination = "${out}"
  contents    = ${JSON.stringify(TEMPLATE)}
}
`;
    expect(await runAgent(await parseAgentConfig(text, { fileName: 'jwt.hcl' }), { logger: new CaptureLogger() })).toBe(0);
    expect(await readFile(out, 'utf8')).toBe('teal');
    await expect(stat(jwtPath)).rejects.toThrow();
  });

  it('kubernetes: a refused login is logged clearly and retried with backoff; exit_on_err ends the agent with 1', async () => {
    const tokenPath = join(dir, 'other-token');
    await writeFile(tokenPath, await k8s.issueServiceAccountToken({ namespace: 'app', name: 'intruder' }));
    const text = (exitOnErr: boolean) => `
vault { address = "${server.address}" }
auto_auth {
  method "kubernetes" {
    min_backoff = "100ms"
    max_backoff = "400ms"
    exit_on_err = ${exitOnErr}
    config = {
      role       = "web"
      token_path = "${tokenPath}"
    }
  }
}
template {
  destination = "${join(dir, 'never.txt')}"
  contents    = ${JSON.stringify(TEMPLATE)}
}
`;
    const logger = new CaptureLogger();
    const stop = new AbortController();
    const exit = runAgent(await parseAgentConfig(text(false), { fileName: 'k8s.hcl' }), { logger, signal: stop.signal });
    await waitFor(() => logger.count('authentication failed') >= 3, 'three failed logins');
    const failure = logger.lines.find((l) => l.message === 'authentication failed');
    expect(failure?.fields).toMatchObject({ method: 'kubernetes', mount_path: 'auth/kubernetes' });
    expect(String(failure?.fields.error)).toMatch(/auth\/kubernetes\/login: 403/);
    stop.abort();
    expect(await exit).toBe(0);

    const strict = new CaptureLogger();
    expect(await runAgent(await parseAgentConfig(text(true), { fileName: 'k8s.hcl' }), { logger: strict })).toBe(1);
    expect(strict.count('authentication failed; exiting (exit_on_err)')).toBe(1);
  });
});
