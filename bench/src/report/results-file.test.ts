import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replaceRegion } from './results-file.js';

describe('RESULTS.md regions', () => {
  it('replace the generated table and keep the hand-written notes around it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
    const file = join(dir, 'RESULTS.md');
    writeFileSync(file, '# Results\n\nNotes before.\n\n<!-- results:begin -->\nold table\n<!-- results:end -->\n\nNotes after.\n');
    replaceRegion(file, 'results', 'new table');
    replaceRegion(file, 'scale', 'scale table');
    expect(readFileSync(file, 'utf8')).toBe(
      '# Results\n\nNotes before.\n\n<!-- results:begin -->\nnew table\n<!-- results:end -->\n\nNotes after.\n\n<!-- scale:begin -->\nscale table\n<!-- scale:end -->\n',
    );
    rmSync(dir, { recursive: true, force: true });
  });
});
