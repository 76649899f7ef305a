import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoUnsealNode } from '../src/auto-unseal-node.js';
import { runCliProcess } from '../src/cli-process.js';
import { api, freePort } from '../src/coffer-process.js';
import { eventually } from '../src/poll.js';
import {
  awsKmsFixture,
  azureKeyVaultFixture,
  gcpCkmsFixture,
  staticFixture,
  type SealFixture,
} from '../src/seal-fixtures.js';
import { transitUnsealerFixture } from '../src/transit-unsealer.js';

/**
 * Issue 4, first "Done when": for each auto seal, the real `coffer server` process is initialised
 * with `coffer operator init` (recovery keys), killed with SIGKILL and started again, and serves
 * its secrets with no operator input; with the KMS gone it stays sealed (503) and says why, and it
 * unseals by itself once the KMS is back. The seal types run one after another (CI has 2 cores).
 */
interface SealCase {
  type: SealFixture['type'];
  fixture: (dir: string) => Promise<SealFixture>;
  /**
   * What losing the key does at start. An unreachable KMS leaves the server up and sealed; the
   * static seal has no service to lose, only its key file, which is read when the process starts,
   * so without it the server refuses to start.
   */
  whenDown: 'stays-sealed' | 'exits';
}

const CASES: readonly SealCase[] = [
  { type: 'awskms', fixture: () => awsKmsFixture(), whenDown: 'stays-sealed' },
  { type: 'azurekeyvault', fixture: (dir) => azureKeyVaultFixture(dir), whenDown: 'stays-sealed' },
  { type: 'gcpckms', fixture: () => gcpCkmsFixture(), whenDown: 'stays-sealed' },
  { type: 'transit', fixture: (dir) => transitUnsealerFixture(dir), whenDown: 'stays-sealed' },
  { type: 'static', fixture: (dir) => staticFixture(dir), whenDown: 'exits' },
];

const AUTO_UNSEAL_FAILED = 'auto-unseal failed; staying sealed and retrying';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coffer-e2e-auto-unseal-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

for (const { type, fixture: makeFixture, whenDown } of CASES) {
  describe(`auto-unseal through ${type}, as a process`, () => {
    let fixture: SealFixture;
    let node: AutoUnsealNode;
    let rootToken: string;
    let recoveryKeys: string[];
    const secret = { password: `e2e-${type}-${randomBytes(12).toString('hex')}` };

    beforeAll(async () => {
      const kmsDir = join(root, type, 'kms');
      await mkdir(kmsDir, { recursive: true });
      fixture = await makeFixture(kmsDir);
      node = new AutoUnsealNode(join(root, type, 'coffer'), await freePort(), fixture);
    });
    afterAll(async () => {
      await node?.close();
      await fixture?.close();
    });

    const readSecret = () => api(node.address, 'GET', 'secret/data/app/db', { token: rootToken });

    /** No root token, recovery key, seal credential or secret value in anything the server logged. */
    const expectNoSecretsLogged = () => {
      const log = node.log();
      for (const needle of [rootToken, ...recoveryKeys, ...fixture.secrets, secret.password]) {
        expect(log.includes(needle), `the ${type} node's log contains a secret`).toBe(false);
      }
    };

    it('coffer operator init gives recovery keys, and the server unseals itself', async () => {
      await node.start();
      expect(await node.sealStatus()).toMatchObject({ type, initialized: false, sealed: true, recovery_seal: true });

      const home = join(root, type, 'home');
      await mkdir(home, { recursive: true });
      const init = await runCliProcess(['operator', 'init', '-recovery-shares=3', '-recovery-threshold=2', '-format=json'], {
        COFFER_ADDR: node.address,
        HOME: home,
      });
      expect(init.code, init.stderr).toBe(0);
      const printed = JSON.parse(init.stdout) as Record<string, unknown>;
      expect(printed).toMatchObject({ unseal_keys_b64: [], recovery_keys_shares: 3, recovery_keys_threshold: 2 });
      expect(printed.recovery_keys_b64).toHaveLength(3);
      expect(printed.recovery_keys_hex).toHaveLength(3);
      rootToken = printed.root_token as string;
      recoveryKeys = [...(printed.recovery_keys_b64 as string[]), ...(printed.recovery_keys_hex as string[])];

      await node.waitUnsealed();
      expect(await node.sealStatus()).toMatchObject({ type, initialized: true, sealed: false, recovery_seal: true, t: 2, n: 3 });
      const mount = await api(node.address, 'POST', 'sys/mounts/secret', { token: rootToken, body: { type: 'kv-v2' } });
      expect(mount.status).toBe(204);
      const write = await api(node.address, 'POST', 'secret/data/app/db', { token: rootToken, body: { data: secret } });
      expect(write.status).toBe(200);
    });

    it('killed with SIGKILL and started again, it serves the secret with no operator input', async () => {
      await node.kill();
      await node.start();
      await node.waitUnsealed();
      const read = await readSecret();
      expect(read.status, JSON.stringify(read.json)).toBe(200);
      expect(read.json.data.data).toEqual(secret);
    });

    if (whenDown === 'stays-sealed') {
      it('with the KMS down it starts sealed (503) and says why; once the KMS is back it unseals by itself', async () => {
        await node.stop();
        await fixture.down();
        await node.start();
        // The first failed attempt is logged once per retry: wait for it, then look at the node.
        await eventually(() => node.logLines().some((l) => l.msg === AUTO_UNSEAL_FAILED), `${type}: a failed auto-unseal logged`);
        expect(await node.sealStatus()).toMatchObject({ type, initialized: true, sealed: true });
        const sealedRead = await readSecret();
        expect(sealedRead.status).toBe(503);
        expect(sealedRead.json.errors).toEqual(['Vault is sealed']);

        const failure = node.logLines().find((l) => l.msg === AUTO_UNSEAL_FAILED) as { seal: { type: string }; reason: string };
        expect(failure.seal.type).toBe(type);
        expect(failure.reason).toMatch(fixture.downReason);
        expectNoSecretsLogged();

        await fixture.up();
        await node.waitUnsealed();
        // The line follows the state change through a pipe: wait for it rather than expect it at once.
        await eventually(() => node.logLines().some((l) => l.msg === 'unsealed by the auto seal'), `${type}: unseal logged`);
        const read = await readSecret();
        expect(read.status, JSON.stringify(read.json)).toBe(200);
        expect(read.json.data.data).toEqual(secret);
        expectNoSecretsLogged();
      });
    } else {
      it('without its key file it refuses to start, naming the seal and the file; with the file back it unseals by itself', async () => {
        await node.stop();
        await fixture.down();
        const failure = await node.startFails();
        expect(failure.exitCode).not.toBe(0);
        expect(failure.output).toMatch(fixture.downReason);
        expectNoSecretsLogged();

        await fixture.up();
        await node.start();
        await node.waitUnsealed();
        const read = await readSecret();
        expect(read.status, JSON.stringify(read.json)).toBe(200);
        expect(read.json.data.data).toEqual(secret);
        expectNoSecretsLogged();
      });
    }
  });
}
