import type { EngineFactory } from '@coffer/sdk';
import type { EngineRegistry } from '../core/mount-manager.js';
import type { RuntimeHandles } from '../core/runtime.js';
import { createAppRoleEngine } from './approle/approle-engine.js';
import { createCubbyhole } from './cubbyhole/cubbyhole-engine.js';
import { databaseEngineFactory } from './database/database-engine.js';
import { createJwtAuthEngine } from './jwt/jwt-engine.js';
import { createKubernetesAuthEngine } from './kubernetes/kubernetes-engine.js';
import { createKvV1Engine } from './kv/kv-v1.js';
import { createKvV2Engine } from './kv/kv-v2/kv-v2-engine.js';
import { createSystemEngine } from './system/system-engine.js';
import { createTransitEngine } from './transit/transit-engine.js';
import { createTokenEngine } from './token/token-engine.js';
import { createUserpassEngine } from './userpass/userpass-engine.js';

/** KV picks its version from the mount options, as Vault's `options.version`. */
const createKvEngine: EngineFactory = (deps) =>
  deps.mount.options.version === '2' ? createKvV2Engine(deps) : createKvV1Engine(deps);

/** The table of engines by mount type. The built-ins (sys, token) reach the runtime's parts. */
export function engineRegistry(now: () => Date): (handles: RuntimeHandles) => EngineRegistry {
  return (handles) => ({
    mounts: new Map<string, EngineFactory>([
      ['kv', createKvEngine],
      ['transit', createTransitEngine],
      ['database', databaseEngineFactory(handles.barrier)],
      ['system', () => createSystemEngine(handles, now)],
      [
        'cubbyhole',
        (deps) => {
          const cubbyhole = createCubbyhole(deps);
          handles.cubbyhole = cubbyhole;
          return cubbyhole.engine;
        },
      ],
    ]),
    auth: new Map<string, EngineFactory>([
      ['token', (deps) => createTokenEngine(handles, deps.storage)],
      ['approle', createAppRoleEngine],
      ['userpass', createUserpassEngine],
      ['kubernetes', createKubernetesAuthEngine],
      ['jwt', createJwtAuthEngine],
    ]),
    singletons: new Set(['system', 'token', 'cubbyhole']),
  });
}
