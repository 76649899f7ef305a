import { isCofferError } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { BATCH_LIMIT } from './batch.js';
import { MISSING_CONTEXT } from './cipher-ops.js';
import { b64, transitHarness } from './transit-harness.js';

const fails = async (promise: Promise<unknown>, message: string, code = 'invalid_request') =>
  expect(promise).rejects.toSatisfy((error) => isCofferError(error) && error.code === code && error.message === message);

describe('transit encrypt and decrypt', () => {
  it('upserts a missing key on encrypt (a create for ACLs), an update once it exists', async () => {
    const h = await transitHarness();
    expect((await h.route('write', 'encrypt/new', { plaintext: b64('x') })).request.operation).toBe('create');
    const first = await h.call('write', 'encrypt/new', { plaintext: b64('x') });
    expect(first).toEqual({ data: { ciphertext: expect.stringMatching(/^vault:v1:/), key_version: 1 } });
    expect((await h.route('write', 'encrypt/new', { plaintext: b64('x') })).request.operation).toBe('update');
    expect((await h.call('read', 'keys/new'))?.data).toMatchObject({ type: 'aes256-gcm96', derived: false });
  });

  it('creates the upserted key with the requested type, derived when a context is given', async () => {
    const h = await transitHarness();
    await h.call('write', 'encrypt/c', { plaintext: b64('x'), type: 'chacha20-poly1305', context: b64('ctx') });
    expect((await h.call('read', 'keys/c'))?.data).toMatchObject({ type: 'chacha20-poly1305', derived: true });
    await fails(h.call('write', 'encrypt/e', { plaintext: b64('x'), type: 'ecdsa-p256' }), 'key type ecdsa-p256 not supported for this operation');
    await fails(h.call('write', 'encrypt/r', { plaintext: b64('x'), type: 'rsa-2048' }), 'unknown key type rsa-2048');
    await fails(
      h.call('write', 'encrypt/v', { plaintext: b64('x'), convergent_encryption: true }),
      'convergent encryption requires derivation to be enabled, so context is required',
    );
    expect(await h.call('list', 'keys/')).toEqual({ data: { keys: ['c'] } });
  });

  it('does not upsert once config/keys sets disable_upsert', async () => {
    const h = await transitHarness();
    expect(await h.call('read', 'config/keys')).toEqual({ data: { disable_upsert: false } });
    expect(await h.call('write', 'config/keys', { disable_upsert: true })).toEqual({ data: { disable_upsert: true } });
    await fails(h.call('write', 'encrypt/new', { plaintext: b64('x') }), 'encryption key not found');
    await h.call('write', 'keys/made');
    expect((await h.call('write', 'encrypt/made', { plaintext: b64('x') }))?.data).toMatchObject({ key_version: 1 });
    await h.call('write', 'config/keys', { disable_upsert: false });
    expect((await h.call('write', 'encrypt/new', { plaintext: b64('x') }))?.data).toMatchObject({ key_version: 1 });
  });

  it('warns when a create lost the race to another creator, as Vault does', async () => {
    const h = await transitHarness();
    const routed = await h.route('write', 'encrypt/k', { plaintext: b64('x') });
    await h.call('write', 'keys/k');
    const answer = await routed.handler(routed.request);
    expect(answer?.warnings).toEqual(['Attempted creation of the key during the encrypt operation, but it was created beforehand']);
  });

  it('encrypts and decrypts empty plaintext', async () => {
    const h = await transitHarness();
    const { ciphertext } = (await h.call('write', 'encrypt/k', { plaintext: '' }))?.data as { ciphertext: string };
    expect((await h.call('write', 'decrypt/k', { ciphertext }))?.data).toEqual({ plaintext: '' });
  });

  it('needs the context for derived keys, and the same one to decrypt', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/d', { derived: true });
    await fails(h.call('write', 'encrypt/d', { plaintext: b64('x') }), MISSING_CONTEXT);
    const { ciphertext } = (await h.call('write', 'encrypt/d', { plaintext: b64('x'), context: b64('a') }))?.data as {
      ciphertext: string;
    };
    await fails(h.call('write', 'decrypt/d', { ciphertext }), MISSING_CONTEXT);
    await fails(h.call('write', 'decrypt/d', { ciphertext, context: b64('b') }), 'cipher: message authentication failed');
    expect((await h.call('write', 'decrypt/d', { ciphertext, context: b64('a') }))?.data).toEqual({ plaintext: b64('x') });
  });

  it('refuses bad input with Vault\'s messages (all 400)', async () => {
    const h = await transitHarness();
    const { ciphertext } = (await h.call('write', 'encrypt/k', { plaintext: b64('secret!') }))?.data as { ciphertext: string };
    const body = ciphertext.slice('vault:v1:'.length);
    const tampered = Buffer.from(body, 'base64');
    tampered[14] = (tampered[14] as number) ^ 1;
    await fails(h.call('write', 'encrypt/k', {}), 'missing plaintext to encrypt');
    await fails(h.call('write', 'encrypt/k', { plaintext: 'not base64!' }), 'illegal base64 data at input byte 3');
    await fails(h.call('write', 'encrypt/k', { plaintext: b64('x'), context: 'a' }), 'illegal base64 data at input byte 0');
    await fails(h.call('write', 'decrypt/k', {}), 'missing ciphertext to decrypt');
    await fails(h.call('write', 'decrypt/k', { ciphertext: `vault:v1:${tampered.toString('base64')}` }), 'cipher: message authentication failed');
    await fails(h.call('write', 'decrypt/k', { ciphertext: `vault:v99:${body}` }), 'invalid ciphertext: version is too new');
    await fails(h.call('write', 'decrypt/k', { ciphertext: `vault:x:${body}` }), 'invalid ciphertext: no prefix');
    await fails(h.call('write', 'decrypt/k', { ciphertext: `vault:vx:${body}` }), 'invalid ciphertext: version number could not be decoded');
    await fails(h.call('write', 'decrypt/k', { ciphertext: 'vault:v1' }), 'invalid ciphertext: wrong number of fields');
    await fails(h.call('write', 'decrypt/k', { ciphertext: body }), 'invalid ciphertext: no prefix');
    await fails(h.call('write', 'decrypt/k', { ciphertext: 'vault:v1:!!!!' }), 'invalid ciphertext: could not decode base64');
    await fails(h.call('write', 'decrypt/k', { ciphertext: 'vault:v1:AAAA' }), 'invalid ciphertext length');
    await fails(h.call('write', 'decrypt/k', { ciphertext: `vault:v1:${Buffer.alloc(20).toString('base64')}` }), 'cipher: message authentication failed');
    await fails(h.call('write', 'decrypt/missing', { ciphertext }), 'encryption key not found');
    await fails(h.call('write', 'encrypt/k', { plaintext: b64('x'), nonce: b64('123456789012') }), 'nonce provided when not allowed');
    await fails(h.call('write', 'encrypt/k', { plaintext: b64('x'), associated_data: '%%' }), 'unable to get associated_data/additional_data from factory[0]: illegal base64 data at input byte 0');
  });

  it('refuses to encrypt or decrypt with keys that cannot (wrong key type)', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/ed', { type: 'ed25519' });
    await h.call('write', 'keys/mac', { type: 'hmac' });
    await fails(h.call('write', 'encrypt/ed', { plaintext: b64('x') }), 'message encryption not supported for key type ed25519');
    await fails(h.call('write', 'decrypt/mac', { ciphertext: 'vault:v1:AAAA' }), 'message decryption not supported for key type hmac');
    await fails(h.call('write', 'datakey/plaintext/ed'), 'message encryption not supported for key type ed25519');
  });
});

describe('transit batches', () => {
  it('encrypts and decrypts a batch, keeping order and references', async () => {
    const h = await transitHarness();
    const encrypted = await h.call('write', 'encrypt/k', {
      batch_input: [
        { plaintext: b64('a'), reference: 'first' },
        { plaintext: b64('b'), reference: 'second' },
      ],
    });
    const results = encrypted?.data?.batch_results as { ciphertext: string; key_version: number; reference: string }[];
    expect(results).toEqual([
      { ciphertext: expect.stringMatching(/^vault:v1:/), key_version: 1, reference: 'first' },
      { ciphertext: expect.stringMatching(/^vault:v1:/), key_version: 1, reference: 'second' },
    ]);
    const decrypted = await h.call('write', 'decrypt/k', {
      batch_input: results.map((r) => ({ ciphertext: r.ciphertext, reference: r.reference })),
    });
    expect(decrypted?.data?.batch_results).toEqual([
      { plaintext: b64('a'), reference: 'first' },
      { plaintext: b64('b'), reference: 'second' },
    ]);
  });

  it('reports partial failures per item, answering 400 with the results (or the code asked for)', async () => {
    const h = await transitHarness();
    const good = (await h.call('write', 'encrypt/k', { plaintext: b64('ok') }))?.data?.ciphertext as string;
    const input = { batch_input: [{ ciphertext: good }, { ciphertext: 'vault:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', reference: 'bad' }] };
    const expected = [
      { plaintext: b64('ok'), reference: '' },
      { plaintext: '', error: 'cipher: message authentication failed', reference: 'bad' },
    ];
    expect(await h.call('write', 'decrypt/k', input)).toEqual({ data: { batch_results: expected }, status: 400 });
    expect(await h.call('write', 'decrypt/k', { ...input, partial_failure_response_code: 200 })).toEqual({
      data: { batch_results: expected },
      status: 200,
    });
    // With nothing succeeding, the override does not apply.
    expect(
      await h.call('write', 'decrypt/k', { batch_input: [{ ciphertext: 'vault:v7:AAAA' }], partial_failure_response_code: 200 }),
    ).toMatchObject({ status: 400, data: { batch_results: [{ error: 'invalid ciphertext: version is too new' }] } });
  });

  it('marks bad encrypt items without failing the good ones', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    const answer = await h.call('write', 'encrypt/k', {
      batch_input: [{ plaintext: b64('fine') }, { plaintext: '@@' }, { plaintext: b64('x'), key_version: 9 }],
      partial_failure_response_code: 207,
    });
    expect(answer?.data?.batch_results).toEqual([
      { ciphertext: expect.stringMatching(/^vault:v1:/), key_version: 1, reference: '' },
      { error: 'illegal base64 data at input byte 0', reference: '' },
      { error: 'requested version for encryption is higher than the latest key version', reference: '' },
    ]);
  });

  it('refuses malformed batches as a whole', async () => {
    const h = await transitHarness();
    await fails(h.call('write', 'encrypt/k', { batch_input: [] }), 'missing batch input to process');
    await fails(h.call('write', 'encrypt/k', { batch_input: 'x' }), 'failed to parse batch input: source data must be an array or slice, got string');
    await fails(h.call('write', 'encrypt/k', { batch_input: [7] }), "failed to parse batch input: [0] expected a map, got 'json.Number'");
    await fails(h.call('write', 'encrypt/k', { batch_input: [{ context: b64('c') }] }), "failed to parse batch input: '[0].plaintext' missing plaintext to encrypt");
    await fails(h.call('write', 'encrypt/k', { batch_input: [{ plaintext: 5 }] }), "failed to parse batch input: '[0].plaintext' expected type 'string', got unconvertible type 'json.Number'");
    await fails(
      h.call('write', 'encrypt/k', { batch_input: [{ plaintext: b64('a'), context: b64('c') }, { plaintext: b64('b') }] }),
      'context should be set either in all the request blocks or in none',
    );
    await fails(h.call('write', 'decrypt/k', { batch_input: [{ context: b64('c') }] }), "failed to parse batch input: '[0].ciphertext' missing ciphertext to decrypt");
    expect(await h.call('list', 'keys/')).toBeUndefined(); // nothing was upserted on the way
  });

  it(`refuses batches over ${BATCH_LIMIT} items; accepts exactly ${BATCH_LIMIT}`, async () => {
    const h = await transitHarness();
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ plaintext: b64(String(i)) }));
    await fails(h.call('write', 'encrypt/k', { batch_input: items(BATCH_LIMIT + 1) }), `batch_input has ${BATCH_LIMIT + 1} items; at most ${BATCH_LIMIT} are accepted per request`);
    const answer = await h.call('write', 'encrypt/k', { batch_input: items(BATCH_LIMIT) });
    expect(answer?.data?.batch_results).toHaveLength(BATCH_LIMIT);
  });

  it('rewraps a batch, reporting bad items in place with a 200 (as Vault)', async () => {
    const h = await transitHarness();
    const c1 = (await h.call('write', 'encrypt/k', { plaintext: b64('1') }))?.data?.ciphertext as string;
    await h.call('write', 'keys/k/rotate');
    const answer = await h.call('write', 'rewrap/k', { batch_input: [{ ciphertext: c1, reference: 'r' }, { ciphertext: 'junk' }] });
    expect(answer?.data?.batch_results).toEqual([
      { ciphertext: expect.stringMatching(/^vault:v2:/), key_version: 2, reference: 'r' },
      { error: 'invalid ciphertext: no prefix', reference: '' },
    ]);
  });
});
