import { createHash } from 'node:crypto';
import { api } from '../coffer-process.js';

/**
 * Every key is written exactly once, with a value derived from its name, so a read-back can tell
 * a complete write (right value, version 1) from a lost, torn or repeated one without keeping the
 * values around. 1 KiB is large enough that a torn write would show.
 */
export function valueFor(key: string): string {
  return createHash('sha256').update(key).digest('hex').repeat(16);
}

export interface LedgerCheck {
  checked: number;
  /** Acknowledged (200) but not readable afterwards. */
  missing: string[];
  /** Visible with current_version other than 1: a write applied twice. */
  duplicated: string[];
  /** Visible but incomplete: metadata without data, a wrong value, or a key never sent. */
  halfWritten: string[];
  /** Sent without an acknowledgement (in flight at a kill, or refused) and yet fully there. */
  unconfirmedApplied: number;
}

type KeyState = 'absent' | 'complete' | 'duplicated' | 'half';

/** Reads one key's metadata and data and classifies what is visible. */
async function inspect(address: string, token: string, mount: string, key: string): Promise<KeyState> {
  const meta = await api(address, 'GET', `${mount}/metadata/${key}`, { token });
  const data = await api(address, 'GET', `${mount}/data/${key}`, { token });
  if (meta.status === 404 && data.status === 404) return 'absent';
  if (meta.status !== 200 || data.status !== 200) return 'half';
  if (meta.json?.data?.current_version !== 1 || Object.keys(meta.json?.data?.versions ?? {}).length !== 1) return 'duplicated';
  if (data.json?.data?.data?.value !== valueFor(key) || data.json?.data?.metadata?.version !== 1) return 'half';
  return 'complete';
}

/** Runs `work` over `items` with a few requests in flight, so verifying thousands of keys stays quick. */
async function pooled<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(lanes);
}

/**
 * Checks every acknowledged key (must be complete), every unconfirmed one (absent or complete), and
 * every key listed under `listPrefixes` (must be one we sent: nothing appears from nowhere).
 */
export async function checkLedger(options: {
  address: string;
  token: string;
  mount: string;
  acknowledged: Iterable<string>;
  unconfirmed: Iterable<string>;
  listPrefixes?: readonly string[];
}): Promise<LedgerCheck> {
  const { address, token, mount } = options;
  const acknowledged = new Set(options.acknowledged);
  const unconfirmed = new Set(options.unconfirmed);
  const result: LedgerCheck = { checked: 0, missing: [], duplicated: [], halfWritten: [], unconfirmedApplied: 0 };
  const classify = async (key: string, acked: boolean) => {
    const state = await inspect(address, token, mount, key);
    result.checked++;
    if (state === 'complete' && !acked) result.unconfirmedApplied++;
    if (state === 'absent' && acked) result.missing.push(key);
    if (state === 'duplicated') result.duplicated.push(key);
    if (state === 'half') result.halfWritten.push(key);
  };
  await pooled([...acknowledged], 8, (key) => classify(key, true));
  await pooled([...unconfirmed].filter((k) => !acknowledged.has(k)), 8, (key) => classify(key, false));
  for (const prefix of options.listPrefixes ?? []) {
    const list = await api(address, 'GET', `${mount}/metadata/${prefix}?list=true`, { token });
    const keys: string[] = list.status === 200 ? (list.json?.data?.keys ?? []) : [];
    for (const name of keys) {
      const key = `${prefix}${name}`;
      if (!acknowledged.has(key) && !unconfirmed.has(key)) result.halfWritten.push(`${key} (listed, never sent)`);
    }
  }
  return result;
}

export function ledgerProblems(check: LedgerCheck): number {
  return check.missing.length + check.duplicated.length + check.halfWritten.length;
}
