import { definePath, type PathDef } from '@coffer/sdk';
import type { KeyStatus } from '../../core/keyring.js';
import type { RuntimeHandles } from '../../core/runtime.js';

const statusJson = (s: KeyStatus) => ({
  term: s.term,
  install_time: s.installTime.toISOString(),
  encryptions: s.encryptions,
});

/** sys/key-status and sys/rotate (alias sys/rotate/keyring): the barrier's encryption terms. */
export function keyPaths(handles: RuntimeHandles, now: () => Date): PathDef[] {
  const rotate = async () => {
    await handles.barrier.rotate(now());
    return undefined;
  };
  return [
    definePath({
      pattern: 'key-status',
      summary: 'The active barrier key term and its use.',
      operations: { read: async () => ({ data: statusJson(handles.barrier.keyStatus()) }) },
    }),
    definePath({
      pattern: 'rotate(?:/keyring)?',
      summary: 'Adds a new barrier key term; older terms still decrypt.',
      operations: { update: rotate },
    }),
  ];
}
