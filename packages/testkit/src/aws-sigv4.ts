import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RecordedRequest } from './fake-http-server.js';

export interface SigV4Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** The credential scope of an `Authorization: AWS4-HMAC-SHA256 ...` header, or undefined when there is none. */
export function sigV4Credential(
  request: RecordedRequest,
): (SigV4Credential & { signedHeaders: string[]; signature: string }) | undefined {
  const match = AUTHORIZATION.exec(String(request.headers.authorization ?? ''));
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match as unknown as string[];
  return {
    accessKeyId: accessKeyId as string,
    date: date as string,
    region: region as string,
    service: service as string,
    signedHeaders: (signedHeaders as string).split(';'),
    signature: signature as string,
  };
}

/**
 * Checks a request's AWS Signature Version 4 against the secret key, as AWS does: canonical
 * request, string to sign, HMAC key chain. The fake's requests have no query string.
 */
export function verifySigV4(request: RecordedRequest, secretAccessKey: string): boolean {
  const credential = sigV4Credential(request);
  const amzDate = request.headers['x-amz-date'];
  if (!credential || typeof amzDate !== 'string') return false;
  const canonicalHeaders = credential.signedHeaders
    .map(
      (name) =>
        `${name}:${String(request.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonicalRequest = [
    request.method,
    request.path,
    request.query.toString(),
    canonicalHeaders,
    credential.signedHeaders.join(';'),
    sha256(request.body),
  ].join('\n');
  const scope = `${credential.date}/${credential.region}/${credential.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${secretAccessKey}`, credential.date);
  for (const part of [credential.region, credential.service, 'aws4_request']) key = hmac(key, part);
  const expected = hmac(key, stringToSign);
  const given = Buffer.from(credential.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();
