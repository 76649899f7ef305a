import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBoundaries } from './boundaries.js';

describe('workspace dependency rules', () => {
  it('hold for every package (package.json and imports)', () => {
    const violations = checkBoundaries(resolve(import.meta.dirname, '../..'));
    expect(violations.map((v) => `${v.where}: ${v.message}`)).toEqual([]);
  });

  it('catch an adapter importing the server, and a deep import', () => {
    const root = mkdtempSync(join(tmpdir(), 'coffer-boundaries-'));
    const seal = join(root, 'packages', 'seal');
    mkdirSync(join(seal, 'src'), { recursive: true });
    writeFileSync(join(seal, 'package.json'), JSON.stringify({ dependencies: { '@coffer/server': '*' } }));
    writeFileSync(join(seal, 'src', 'x.ts'), "import { Core } from '@coffer/server';\nimport { y } from '@coffer/sdk/src/errors.js';\n");
    const messages = checkBoundaries(root).map((v) => v.message);
    expect(messages).toContain('dependency on @coffer/server is not allowed');
    expect(messages).toContain('imports @coffer/server, which seal may not depend on');
    expect(messages).toContain('deep import @coffer/sdk/src/errors.js; only the package root and ./testing are public');
  });
});
