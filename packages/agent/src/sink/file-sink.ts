import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FileSinkConfig } from '../config/agent-config.js';
import { writeFileAtomic } from '../fs/atomic-write.js';

/** Vault Agent's file sink: the token, alone, written atomically with the sink's mode (0640 by default). */
export function writeTokenSink(sink: FileSinkConfig, token: string): Promise<void> {
  return writeFileAtomic(sink.path, token, { mode: sink.mode });
}

/**
 * The start-up check Vault Agent makes: a file can be created and renamed in the sink's folder.
 * Without it a misconfigured sink would only show after the first login.
 */
export async function checkSinkWritable(sink: FileSinkConfig): Promise<void> {
  const probe = join(dirname(sink.path), `.coffer-agent-sink-check-${process.pid}`);
  try {
    await writeFileAtomic(probe, '', { mode: 0o600 });
  } finally {
    await rm(probe, { force: true });
  }
}
