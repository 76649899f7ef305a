import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../test/http-client.js';
import { startAwsKmsFake, type AwsKmsFake } from './aws-kms-fake.js';
import { verifySigV4 } from './aws-sigv4.js';
import type { RecordedRequest } from './fake-http-server.js';

describe('verifySigV4', () => {
  it("accepts AWS's published get-vanilla test vector and refuses it under another secret", () => {
    const signed: RecordedRequest = {
      method: 'GET',
      path: '/',
      query: new URLSearchParams(),
      headers: {
        host: 'example.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
      },
      body: '',
    };
    expect(verifySigV4(signed, 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY')).toBe(true);
    expect(verifySigV4(signed, 'another-secret')).toBe(false);
  });
});

let fake: AwsKmsFake;
beforeAll(async () => {
  fake = await startAwsKmsFake({ region: 'eu-west-1' });
  fake.createKey({ alias: 'alias/test' });
});
afterAll(() => fake.close());

/** Signs a TrentService call the way the AWS SDK does (SigV4 over host, x-amz-date, x-amz-target). */
function call(operation: string, body: Record<string, unknown>, options: { secret?: string; region?: string } = {}) {
  const text = JSON.stringify(body);
  const host = new URL(fake.endpoint).host;
  const amzDate = '20260101T000000Z';
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    host,
    'x-amz-date': amzDate,
    'x-amz-target': `TrentService.${operation}`,
  };
  const signedHeaders = Object.keys(headers).sort();
  const canonical = [
    'POST',
    '/',
    '',
    signedHeaders.map((h) => `${h}:${headers[h]}\n`).join(''),
    signedHeaders.join(';'),
    sha256(text),
  ].join('\n');
  const scope = `${date}/${options.region ?? fake.region}/kms/aws4_request`;
  let key: Buffer = hmac(`AWS4${options.secret ?? fake.secretAccessKey}`, date);
  for (const part of [options.region ?? fake.region, 'kms', 'aws4_request']) key = hmac(key, part);
  const signature = hmac(key, ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n')).toString('hex');
  headers['authorization'] =
    `AWS4-HMAC-SHA256 Credential=${fake.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return request(fake.endpoint, { method: 'POST', headers, body: text });
}
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();

describe('startAwsKmsFake', () => {
  it('encrypts under an alias and reports the key ARN; decrypt needs the same encryption context', async () => {
    const plaintext = Buffer.from('data key').toString('base64');
    const encrypted = await call('Encrypt', {
      KeyId: 'alias/test',
      Plaintext: plaintext,
      EncryptionContext: { app: 'coffer' },
    });
    expect(encrypted.status).toBe(200);
    expect(encrypted.json['KeyId']).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\/[0-9a-f-]{36}$/);
    const blob = encrypted.json['CiphertextBlob'];
    expect(
      (await call('Decrypt', { CiphertextBlob: blob, EncryptionContext: { app: 'coffer' } })).json['Plaintext'],
    ).toBe(plaintext);
    expect((await call('Decrypt', { CiphertextBlob: blob })).json['__type']).toBe('InvalidCiphertextException');
  });

  it('refuses unsigned, mis-signed and wrongly scoped requests as AWS does', async () => {
    const unsigned = await request(fake.endpoint, { headers: { 'x-amz-target': 'TrentService.Encrypt' }, body: {} });
    expect(unsigned.json['__type']).toBe('MissingAuthenticationTokenException');
    expect((await call('DescribeKey', { KeyId: 'alias/test' }, { secret: 'wrong' })).json['__type']).toBe(
      'InvalidSignatureException',
    );
    const scoped = await call('DescribeKey', { KeyId: 'alias/test' }, { region: 'us-east-1' });
    expect(scoped.json).toMatchObject({
      __type: 'InvalidSignatureException',
      message: "Credential should be scoped to a valid region, not 'us-east-1'.",
    });
  });

  it('describes keys by alias, id or ARN, with their state', async () => {
    const key = fake.createKey();
    fake.disableKey(key.arn);
    for (const ref of [key.keyId, key.arn, `key/${key.keyId}`]) {
      const reply = await call('DescribeKey', { KeyId: ref });
      expect(reply.json['KeyMetadata']).toMatchObject({ Arn: key.arn, Enabled: false, KeyState: 'Disabled' });
    }
    expect((await call('DescribeKey', { KeyId: 'alias/missing' })).json['__type']).toBe('NotFoundException');
    expect((await call('Encrypt', { KeyId: key.arn, Plaintext: 'AA==' })).json['__type']).toBe('DisabledException');
  });
});
