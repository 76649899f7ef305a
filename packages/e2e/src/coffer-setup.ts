import { api } from './coffer-process.js';

/** What a freshly initialised server hands out: one key share (threshold 1) and the root token. */
export interface InitialisedCoffer {
  unsealKey: string;
  rootToken: string;
}

/** `sys/init` with a single key share, then unseals; the harnesses need no quorum ceremony. */
export async function initialiseAndUnseal(address: string): Promise<InitialisedCoffer> {
  const init = await api(address, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  if (init.status !== 200) throw new Error(`sys/init answered ${init.status}: ${JSON.stringify(init.json)}`);
  const unsealKey = init.json.keys[0] as string;
  await unseal(address, unsealKey);
  return { unsealKey, rootToken: init.json.root_token as string };
}

/** Unseals with the one key share and fails loudly if the server stays sealed. */
export async function unseal(address: string, key: string): Promise<void> {
  const res = await api(address, 'PUT', 'sys/unseal', { body: { key } });
  if (res.status !== 200 || res.json?.sealed !== false) throw new Error(`unseal failed (${res.status}): ${JSON.stringify(res.json)}`);
}

/** Mounts an engine (`kv-v2`, `transit`…) at `path`; a mount that is already there is an error. */
export async function mount(address: string, token: string, path: string, type: string): Promise<void> {
  const res = await api(address, 'POST', `sys/mounts/${path}`, { token, body: { type } });
  if (res.status !== 204 && res.status !== 200) throw new Error(`mounting ${type} at ${path} answered ${res.status}: ${JSON.stringify(res.json)}`);
}
