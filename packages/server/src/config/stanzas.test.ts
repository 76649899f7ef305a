import { CofferError } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { readConfigDocument } from './config-document.js';
import { stringField } from './fields.js';
import { Problems } from './problems.js';
import { defineStanza, readStanzas, type StanzaKind } from './stanzas.js';

// A stanza kind as a later issue would add one: a table entry, with a secret that must never be
// quoted back in an error.
interface SealConfig {
  type: 'awskms';
  region: string;
  secretKey?: string;
}
const SEAL: StanzaKind<SealConfig> = {
  name: 'seal',
  min: 0,
  max: 1,
  example: 'seal "awskms" { region = "eu-west-1" }',
  types: {
    awskms: defineStanza(
      { region: stringField({ required: true }), secret_key: stringField({ sensitive: true }) },
      ({ region, secret_key }, report) => {
        if (region === undefined) return undefined;
        if (region === 'mars') {
          report('region', 'no KMS on mars');
          return undefined;
        }
        return { type: 'awskms', region, ...(secret_key === undefined ? {} : { secretKey: secret_key }) };
      },
    ),
  },
};

async function read(text: string, fileName = 'config.hcl') {
  const problems = new Problems(fileName);
  const root = await readConfigDocument(text, fileName, problems);
  const instances = root ? readStanzas(root, SEAL, problems) : [];
  let message: string | undefined;
  try {
    problems.throwIfAny();
  } catch (error) {
    expect(error).toBeInstanceOf(CofferError);
    message = (error as CofferError).message;
  }
  return { instances: instances.map((i) => [i.type, i.line, i.config]), message };
}

describe('readStanzas', () => {
  it('reads a new stanza kind from its table entry alone', async () => {
    expect(await read('ui = 1\n\nseal "awskms" {\n  region = "eu-west-1"\n  secret_key = "s3cr3t"\n}\n')).toEqual({
      instances: [['awskms', 3, { type: 'awskms', region: 'eu-west-1', secretKey: 's3cr3t' }]],
      message: undefined,
    });
    expect(await read('{"seal": {"awskms": {"region": "eu-west-1"}}}', 'c.json')).toEqual({
      instances: [['awskms', 1, { type: 'awskms', region: 'eu-west-1' }]],
      message: undefined,
    });
    // min: 0 makes it optional.
    expect(await read('ui = 1\n')).toEqual({ instances: [], message: undefined });
  });

  it('never quotes a sensitive value back', async () => {
    const { message } = await read('seal "awskms" {\n  region = "eu-west-1"\n  secret_key = ["s3cr3t"]\n}\n');
    expect(message).toBe('config.hcl:3: "secret_key" in seal "awskms": must be a string');
  });

  it("reports build-time rules at the key's line, prefixed with the stanza", async () => {
    const { message } = await read('seal "awskms" {\n\n  region = "mars"\n}\n');
    expect(message).toBe('config.hcl:3: seal "awskms": no KMS on mars');
  });

  it('accepts every JSON shape Vault accepts for stanzas', async () => {
    const shapes = [
      '{"seal": {"awskms": {"region": "a"}}}',
      '{"seal": {"awskms": [{"region": "a"}]}}',
      '{"seal": [{"awskms": {"region": "a"}}]}',
    ];
    for (const text of shapes) {
      expect((await read(text, 'c.json')).instances, text).toEqual([['awskms', 1, { type: 'awskms', region: 'a' }]]);
    }
  });

  it('refuses a second stanza where only one is allowed, at its own line', async () => {
    const { message } = await read('seal "awskms" {\n  region = "a"\n}\nseal "awskms" {\n  region = "b"\n}\n');
    expect(message).toBe('config.hcl:4: only one seal stanza is allowed; the first is at line 1');
  });
});
