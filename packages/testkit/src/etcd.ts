import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdProcess, type EtcdMember } from './etcd-member.js';
import { freePorts } from './free-ports.js';

export type { EtcdMember } from './etcd-member.js';

/** The system binary from Debian's etcd-server package (3.4), which scripts/test.sh installs. */
export const DEFAULT_ETCD_BINARY = '/usr/bin/etcd';

export interface EtcdOptions {
  binary?: string;
  /** `--quota-backend-bytes`: a tiny quota makes the NOSPACE alarm easy to reach. */
  quotaBackendBytes?: number;
  /** `--max-request-bytes` (etcd's default is 1.5 MiB). */
  maxRequestBytes?: number;
  /** Anything else to pass to every member. */
  extraArgs?: readonly string[];
  /** Serve clients over https with this certificate (for 127.0.0.1), e.g. from createTestCertificates. */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

/** A running etcd (one member or several) on free loopback ports, with data in a temp folder. */
export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Client URLs of all members, in member order. */
  readonly endpoints: readonly string[];
  /** A key prefix no other test (or test process) uses, such as `/t-1234-5-9f3a/`. */
  uniquePrefix(label?: string): string;
  /** Waits until every running member reports healthy. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Kills every member and deletes the data. */
  close(): Promise<void>;
}

let prefixCounter = 0;

/** A key prefix unique to this process and call, for tests that share an etcd. */
export function uniqueEtcdPrefix(label = 't'): string {
  const safe = label.replace(/[^A-Za-z0-9_-]/g, '-');
  return `/${safe}-${process.pid}-${prefixCounter++}-${randomBytes(3).toString('hex')}/`;
}

/** One etcd member. A missing binary is an error, never a skip. */
export function startEtcd(options: EtcdOptions = {}): Promise<EtcdCluster> {
  return startEtcdCluster(1, options);
}

/** `size` members forming one cluster; resolves once all are healthy (one of them leads). */
export async function startEtcdCluster(size: number, options: EtcdOptions = {}): Promise<EtcdCluster> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('an etcd cluster needs at least one member');
  const binary = options.binary ?? DEFAULT_ETCD_BINARY;
  try {
    await access(binary, constants.X_OK);
  } catch {
    throw new Error(
      `etcd is not installed at ${binary}: install Debian's etcd-server package ` +
        '(apt-get install -y etcd-server etcd-client), as scripts/test.sh does',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'coffer-etcd-'));
  // A free port can be taken between our probe and etcd's bind; try again with new ones then.
  for (let attempt = 1; ; attempt++) {
    const members = await launchMembers(binary, size, dir, attempt, options);
    try {
      await Promise.all(members.map((m) => m.waitHealthy()));
      return cluster(members, dir);
    } catch (error) {
      await Promise.all(members.map((m) => m.kill()));
      const portTaken = members.some((m) => m.logTail().includes('address already in use'));
      if (!portTaken || attempt >= 3) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

async function launchMembers(
  binary: string,
  size: number,
  dir: string,
  attempt: number,
  options: EtcdOptions,
): Promise<EtcdProcess[]> {
  const ports = await freePorts(size * 2);
  const names = Array.from({ length: size }, (_, i) => `m${i + 1}`);
  const initialCluster = names.map((name, i) => `${name}=http://127.0.0.1:${ports[size + i]}`).join(',');
  const extraArgs = [
    ...(options.quotaBackendBytes === undefined ? [] : ['--quota-backend-bytes', String(options.quotaBackendBytes)]),
    ...(options.maxRequestBytes === undefined ? [] : ['--max-request-bytes', String(options.maxRequestBytes)]),
    ...(options.extraArgs ?? []),
  ];
  const clusterToken = `coffer-test-${randomBytes(4).toString('hex')}`;
  const members = names.map(
    (name, i) =>
      new EtcdProcess({
        binary,
        name,
        clientPort: ports[i] as number,
        peerPort: ports[size + i] as number,
        dataDir: join(dir, `${name}-${attempt}`),
        initialCluster,
        clusterToken,
        extraArgs,
        ...(options.tls ? { tls: options.tls } : {}),
      }),
  );
  for (const member of members) member.launch();
  return members;
}

function cluster(members: EtcdProcess[], dir: string): EtcdCluster {
  return {
    members,
    endpoints: members.map((m) => m.clientUrl),
    uniquePrefix: uniqueEtcdPrefix,
    async waitHealthy(timeoutMs) {
      await Promise.all(members.filter((m) => m.running).map((m) => m.waitHealthy(timeoutMs)));
    },
    async close() {
      await Promise.all(members.map((m) => m.kill()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
