#!/usr/bin/env node
import { homedir } from 'node:os';
import { runCli } from './run-cli.js';

// The only place that touches process globals: everything else gets them through runCli's io.
const shutdown = new AbortController();
let signalled = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second signal while shutting down means "now".
    if (signalled) process.exit(1);
    signalled = true;
    shutdown.abort();
  });
}

const code = await runCli(process.argv.slice(2), {
  env: { ...process.env },
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  homeDir: homedir(),
  signal: shutdown.signal,
  onHangup: (listener) => process.on('SIGHUP', listener),
});
// Exit once what was written has been handed to the OS (stdout may be a pipe).
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
