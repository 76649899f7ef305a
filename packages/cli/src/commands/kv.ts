import type { Command } from 'commander';
import type { Context } from '../context.js';
import { registerKvMetadata } from './kv-metadata.js';
import { registerKvRead } from './kv-read.js';
import { registerKvVersions } from './kv-versions.js';
import { registerKvWrite } from './kv-write.js';

/**
 * `kv`: the KV engine with v1/v2 told apart per command (see kv-mount.ts), so `kv get secret/foo`
 * reads `secret/data/foo` on v2 and `secret/foo` on v1.
 */
export function registerKvCommands(program: Command, ctx: Context): void {
  const kv = program.command('kv').description('Interact with the KV secrets engine');
  registerKvRead(kv, ctx);
  registerKvWrite(kv, ctx);
  registerKvVersions(kv, ctx);
  registerKvMetadata(kv, ctx);
}
