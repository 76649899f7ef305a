// Copies what the runtime image needs out of a built checkout: the root manifest and lockfile, and
// for every npm workspace its package.json, bin/ and dist/ (never sources, tests or node_modules).
// The workspace list comes from npm itself, so a new package is picked up without editing this.
// Usage: node deploy/image/stage-runtime.mjs <built checkout> <destination>
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  process.stderr.write('usage: stage-runtime.mjs <built checkout> <destination>\n');
  process.exit(2);
}
const workspaces = JSON.parse(execFileSync('npm', ['query', '.workspace'], { cwd: from, encoding: 'utf8' }));
mkdirSync(to, { recursive: true });
for (const file of ['package.json', 'package-lock.json']) cpSync(join(from, file), join(to, file));
for (const { location } of workspaces) {
  for (const part of ['package.json', 'bin', 'dist']) {
    const source = join(from, location, part);
    if (existsSync(source)) cpSync(source, join(to, location, part), { recursive: true });
  }
}
process.stdout.write(`staged ${workspaces.length} workspaces into ${to}\n`);
