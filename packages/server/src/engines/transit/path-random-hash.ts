import { createHash, randomBytes } from 'node:crypto';
import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import { decodeBase64Field } from './go-base64.js';
import { isHashName, NODE_HASH } from './hash-algorithms.js';
import { optionalParam } from './key-name.js';
import { goAtoi } from './version-prefix.js';

const invalid = (message: string) => new CofferError('invalid_request', message);

/** Vault's random API cap. */
const MAX_RANDOM_BYTES = 128 * 1024;
const SOURCES = ['', 'platform', 'seal', 'all'];

/**
 * `random[/<source>][/<bytes>]` and `hash[/<algorithm>]`: key-less utilities. There is no seal
 * entropy source here, so `seal` and `all` use the platform's, with Vault's warning for `seal`.
 */
export function randomHashPaths(): PathDef[] {
  return [
    definePath({
      pattern: String.raw`random(?:/(?<source>\w(?:[\w.-]*\w)?))?` + optionalParam('urlbytes'),
      summary: 'Generate random bytes.',
      fields: {
        bytes: { type: 'int', default: 32, description: 'Number of bytes' },
        format: { type: 'string', default: 'base64', description: 'hex or base64' },
      },
      operations: {
        update: async (request) => {
          const fields = request.fields as { bytes: number; format: string };
          const urlSource = request.params.source ?? '';
          const urlBytes = request.params.urlbytes ?? '';
          // The URL's segments override the body, as in Vault: random/<n>, random/<source>[/<n>].
          const bodySource = request.data.source;
          let source = typeof bodySource === 'string' && bodySource !== '' ? bodySource : 'platform';
          let bytes = fields.bytes;
          if (urlSource !== '' && urlBytes === '' && SOURCES.includes(urlSource)) {
            source = urlSource;
          } else if (urlSource !== '') {
            if (urlBytes !== '') source = urlSource;
            bytes = urlByteCount(urlBytes || urlSource);
          }
          if (bytes < 1) throw invalid("'bytes' cannot be less than 1");
          if (bytes > MAX_RANDOM_BYTES) throw invalid(`'bytes' should be less than ${MAX_RANDOM_BYTES}`);
          if (fields.format !== 'hex' && fields.format !== 'base64') {
            throw invalid(`unsupported encoding format ${JSON.stringify(fields.format)}; must be "hex" or "base64"`);
          }
          if (!SOURCES.includes(source)) {
            throw invalid(`unsupported entropy source ${JSON.stringify(source)}; must be "platform" or "seal", or "all"`);
          }
          const random = randomBytes(bytes).toString(fields.format as 'hex' | 'base64');
          const warnings = source === 'seal' ? ['no seal/entropy augmentation available, using platform entropy source'] : [];
          return { data: { random_bytes: random }, ...(warnings.length ? { warnings } : {}) };
        },
      },
    }),
    definePath({
      pattern: `hash${optionalParam('urlalgorithm')}`,
      summary: 'Hash input data.',
      fields: {
        input: { type: 'string', description: 'Base64-encoded input' },
        algorithm: { type: 'string', default: 'sha2-256', description: 'Hash function' },
        format: { type: 'string', default: 'hex', description: 'hex or base64' },
      },
      operations: {
        update: async (request) => {
          const fields = request.fields as { input?: string; algorithm: string; format: string };
          if (fields.input === undefined) throw invalid('input missing');
          const algorithm = request.params.urlalgorithm || fields.algorithm;
          const input = decodeBase64Field(fields.input, 'unable to decode input as base64: ');
          if (fields.format !== 'hex' && fields.format !== 'base64') {
            throw invalid(`unsupported encoding format ${fields.format}; must be "hex" or "base64"`);
          }
          // sha1 and none are signing names, not offered by the hash endpoint.
          if (!isHashName(algorithm) || algorithm === 'none' || algorithm === 'sha1') {
            throw invalid(`unsupported algorithm ${algorithm}`);
          }
          const sum = createHash(NODE_HASH[algorithm]).update(input).digest(fields.format as 'hex' | 'base64');
          return { data: { sum } };
        },
      },
    }),
  ];
}

function urlByteCount(text: string): number {
  const parsed = goAtoi(text);
  if (parsed === undefined) {
    throw invalid(`error parsing url-set byte count: strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  return parsed;
}
