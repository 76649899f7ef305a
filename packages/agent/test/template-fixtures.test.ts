import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { goSecretOf } from '../src/secrets/secret-value.js';
import { fn } from '../src/template/func-def.js';
import { render } from './render-template.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

describe('the PKI write example (no PKI engine in Coffer: a canned response)', () => {
  it('passes k=v arguments as a write and prints the *Secret as Go does', async () => {
    const calls: unknown[][] = [];
    const secret = fn(0, Infinity, (args) => {
      calls.push(args);
      return goSecretOf({
        request_id: 'r-1',
        lease_id: 'pki/issue/web/abc',
        lease_duration: 3600,
        renewable: false,
        data: { certificate: 'CERT', serial_number: '01:02' },
        warnings: null,
        auth: null,
      });
    });
    const source = await readFile(join(FIXTURES, 'pki-issue-write.ctmpl'), 'utf8');
    expect(await render(source, undefined, { funcs: new Map([['secret', secret]]) })).toBe(
      '&{r-1 pki/issue/web/abc 3600 false map[certificate:CERT serial_number:01:02] [] <nil> <nil>}\n',
    );
    expect(calls).toEqual([['pki/issue/web', 'common_name=a.b']]);
  });

  it('exposes the lease fields and the data of a *Secret', async () => {
    const secret = fn(1, 1, () => goSecretOf({ lease_id: 'database/creds/web/x', lease_duration: 3, renewable: true, data: { username: 'u', password: 'p' } }));
    const template = '{{ with secret "database/creds/web" }}{{ .LeaseID }}|{{ .LeaseDuration }}|{{ .Renewable }}|{{ .Data.username }}|{{ .Data | toJSON }}{{ end }}';
    expect(await render(template, undefined, { funcs: new Map([['secret', secret]]) })).toBe('database/creds/web/x|3|true|u|{"password":"p","username":"u"}');
  });
});
