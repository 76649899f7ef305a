import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Child-process fixtures import the built package (and through it the built sdk). Build only what
 * is missing or older than its sources: under nx the build just ran, and rewriting dist/ while
 * other projects' builds read it would race them.
 */
export function buildForFixtures(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/lib/tsc.js');
  const sdkDir = join(packageDir, '../sdk');
  const stale = (project: string) => {
    const built = join(project, 'dist/index.js');
    if (!existsSync(built)) return true;
    const builtAt = statSync(built).mtimeMs;
    return readdirSync(join(project, 'src'), { recursive: true, encoding: 'utf8' }).some(
      (file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && statSync(join(project, 'src', file)).mtimeMs > builtAt,
    );
  };
  for (const project of [sdkDir, packageDir].filter(stale)) {
    const result = spawnSync(process.execPath, [tsc, '-p', join(project, 'tsconfig.lib.json')], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`build of ${project} failed:\n${result.stdout}${result.stderr}`);
  }
}
