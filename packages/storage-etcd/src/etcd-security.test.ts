import { readFileSync } from 'node:fs';
import { createTestCertificates, startEtcd, type EtcdCluster, type TestCertificates } from '@coffer/testkit';
import { Etcd3, Range } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, cofferError, openTestStorage, text } from '../test/support.js';

describe('etcd storage over TLS, as an etcd user', () => {
  let certs: TestCertificates;
  let otherCa: TestCertificates;
  let etcd: EtcdCluster;
  let path: string;
  beforeAll(async () => {
    [certs, otherCa] = await Promise.all([createTestCertificates(), createTestCertificates()]);
    etcd = await startEtcd({ tls: certs });
    path = etcd.uniquePrefix('sec');
    const admin = new Etcd3({ hosts: [...etcd.endpoints], credentials: { rootCertificate: readFileSync(certs.caFile) } });
    try {
      await admin.role('root').create();
      await (await admin.user('root').create('root-password')).addRole('root');
      const role = await admin.role('coffer').create();
      await role.grant({ permission: 'Readwrite', range: Range.prefix(path) });
      await (await admin.user('coffer').create('coffer-password')).addRole('coffer');
      await admin.auth.authEnable({});
    } finally {
      admin.close();
    }
  });
  afterAll(async () => {
    await etcd?.close();
  });

  const options = (extra: Record<string, unknown> = {}) => ({
    path,
    tls_ca_file: certs.caFile,
    username: 'coffer',
    password: 'coffer-password',
    request_timeout: '1s',
    ...extra,
  });

  it('stores and lists with tls_ca_file and username/password', async () => {
    expect(etcd.endpoints[0]).toMatch(/^https:\/\//);
    const storage = await openTestStorage(etcd, options());
    try {
      await storage.put('dir/k', bytes('v'));
      expect(text(await storage.get('dir/k'))).toBe('v');
      expect(await storage.list('')).toEqual(['dir/']);
    } finally {
      await storage.close();
    }
  });

  it('says so when etcd refuses the credentials or the path', async () => {
    const wrongPassword = await openTestStorage(etcd, options({ password: 'nope' }));
    const otherPath = await openTestStorage(etcd, options({ path: '/elsewhere/' }));
    try {
      const refused = await cofferError(wrongPassword.get('k'));
      expect([refused.code, refused.message]).toEqual(['unavailable', 'storage unavailable: etcd refused the configured username or password']);
      const denied = await cofferError(otherPath.put('k', bytes('v')));
      expect([denied.code, denied.message]).toEqual(['unavailable', "storage unavailable: etcd's access control denied the request"]);
    } finally {
      await Promise.all([wrongPassword.close(), otherPath.close()]);
    }
  });

  it('does not talk to a server its CA did not sign', async () => {
    const storage = await openTestStorage(etcd, options({ tls_ca_file: otherCa.caFile }));
    try {
      const error = await cofferError(storage.get('k'));
      expect([error.code, error.message]).toEqual(['unavailable', 'storage unavailable: etcd did not answer within 1000 ms']);
    } finally {
      await storage.close();
    }
  });

  it('fails to open when a TLS file cannot be read', async () => {
    const error = await cofferError(openTestStorage(etcd, options({ tls_ca_file: '/nonexistent/ca.pem' })));
    expect([error.code, error.message]).toEqual(['invalid_request', 'storage "etcd": cannot read tls_ca_file (ENOENT)']);
  });
});
