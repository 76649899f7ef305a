#!/usr/bin/env node
// The command npm links as `coffer`. The CLI itself is compiled to dist/ by the build; this stub
// exists before that, so `npm ci` can link it, and it fails with a hint if the build has not run.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('coffer is not built yet: run `npm run build` in the repository first.\n');
  process.exit(1);
}
await import(main.href);
