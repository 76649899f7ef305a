import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestCertificates, type TestCertificates } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoffer, type CofferProcess } from '../src/coffer-process.js';

const run = promisify(execFile);

/**
 * Debian's python3-hvac (0.11), unchanged, against a real coffer process. It imports only under
 * /usr/bin/python3. The script prints one JSON line of results, which the test checks.
 */
const SCRIPT = String.raw`
import json, sys, hvac
url, verify = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else True)
client = hvac.Client(url=url, verify=verify)
out = {"initialized_before": client.sys.is_initialized()}
result = client.sys.initialize(5, 3)
out["keys"] = len(result["keys"])
client.token = result["root_token"]
status = client.sys.submit_unseal_keys(result["keys"][:3])
out["sealed_after_unseal"] = status["sealed"]
out["is_sealed"] = client.sys.is_sealed()
client.sys.enable_secrets_engine("kv", path="secret", options={"version": "2"})
kv = client.secrets.kv.v2
kv.create_or_update_secret(path="team/db", secret={"password": "hv4c-pass"})
kv.create_or_update_secret(path="team/db", secret={"password": "hv4c-pass-2"}, cas=1)
kv.create_or_update_secret(path="team/api", secret={"token": "t0k"})
read = kv.read_secret_version(path="team/db")
out["read"] = read["data"]["data"]
out["version"] = read["data"]["metadata"]["version"]
out["v1"] = kv.read_secret_version(path="team/db", version=1)["data"]["data"]
out["list"] = kv.list_secrets(path="team")["data"]["keys"]
kv.delete_metadata_and_all_versions(path="team/db")
out["list_after_delete"] = kv.list_secrets(path="team")["data"]["keys"]
try:
    kv.read_secret_version(path="team/db")
    out["read_deleted"] = "found"
except hvac.exceptions.InvalidPath:
    out["read_deleted"] = "InvalidPath"
try:
    kv.create_or_update_secret(path="team/api", secret={"token": "x"}, cas=7)
    out["cas"] = "accepted"
except hvac.exceptions.InvalidRequest as e:
    out["cas"] = str(e)
print(json.dumps(out))
`;

describe.each([
  ['http', false],
  ['TLS', true],
])('python3-hvac over %s', (_name, useTls) => {
  let dir: string;
  let coffer: CofferProcess;
  let certs: TestCertificates | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-e2e-hvac-'));
    certs = useTls ? await createTestCertificates(join(dir, 'tls')) : undefined;
    coffer = await startCoffer({ dir, ...(certs ? { tls: certs } : {}) });
    await writeFile(join(dir, 'client.py'), SCRIPT);
  });
  afterAll(async () => {
    await coffer?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('initialises, unseals, and uses KV v2 (create_or_update, read, list, delete_metadata_and_all_versions)', async () => {
    const args = [join(dir, 'client.py'), coffer.address, ...(certs ? [certs.caFile] : [])];
    const { stdout } = await run('/usr/bin/python3', args, { timeout: 60_000 });
    const out = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    expect(out).toEqual({
      initialized_before: false,
      keys: 5,
      sealed_after_unseal: false,
      is_sealed: false,
      read: { password: 'hv4c-pass-2' },
      version: 2,
      v1: { password: 'hv4c-pass' },
      list: ['api', 'db'],
      list_after_delete: ['api'],
      read_deleted: 'InvalidPath',
      cas: expect.stringContaining('check-and-set parameter did not match the current version'),
    });
  });
});
