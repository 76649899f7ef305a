import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isCofferError, type Storage } from '@coffer/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, tempStore, text } from '../test/support.js';
import { LOG_FILE, openFileStorage } from './index.js';
import { encodeBatchHeader } from './record-format.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = join(packageDir, 'test/fixtures/crash-writer.mjs');
const ABSENT = '-';

/**
 * The fixture imports the built package (and through it the built sdk). Build only what is missing
 * or older than its sources: under nx the build just ran, and rewriting dist/ while other projects'
 * builds read it would race them.
 */
function buildPackage(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/lib/tsc.js');
  const sdkDir = join(packageDir, '../sdk'); // the workspace sibling that @coffer/sdk links to
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

/** What each key may hold after a crash: its last acknowledged state, or the one in flight. */
interface KeyState {
  confirmed: string;
  inFlight?: string;
}

interface RunOutcome {
  acknowledged: number;
  compactionsStarted: number;
  compactionsFinished: number;
  /** Acknowledgements since the last compaction started. */
  acknowledgedSinceCompaction: number;
}

/**
 * Runs the fixture until `killWhen` says so, then SIGKILLs it. Every line is folded into `model`;
 * lines printed before the kill are all read, since the pipe outlives the process.
 */
async function runAndKill(
  store: string,
  run: number,
  model: Map<string, KeyState>,
  killWhen: (outcome: RunOutcome) => boolean,
  whileRunning: (pid: number) => Promise<void>,
): Promise<RunOutcome> {
  const child = spawn(process.execPath, [fixture, store, String(run)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const outcome: RunOutcome = { acknowledged: 0, compactionsStarted: 0, compactionsFinished: 0, acknowledgedSinceCompaction: 0 };
  let killed = false;
  let checks: Promise<void> = Promise.resolve();
  for await (const line of createInterface({ input: child.stdout })) {
    const [kind, a, b, c] = line.split(' ');
    if (kind === 'ready') checks = whileRunning(Number(a));
    else if (kind === 'C') {
      outcome.compactionsStarted++;
      outcome.acknowledgedSinceCompaction = 0;
    }
    else if (kind === 'D') outcome.compactionsFinished++;
    else if (kind === 'B' && b !== undefined && c !== undefined) {
      const state = model.get(b) ?? { confirmed: ABSENT };
      state.inFlight = a === 'D' ? ABSENT : c;
      model.set(b, state);
    } else if (kind === 'A' && a !== undefined) {
      const state = model.get(a);
      if (state?.inFlight === undefined) throw new Error(`acknowledgement without a write for ${a}`);
      state.confirmed = state.inFlight;
      delete state.inFlight;
      outcome.acknowledged++;
      outcome.acknowledgedSinceCompaction++;
    } else throw new Error(`unexpected fixture output: ${line}`);
    if (!killed && killWhen(outcome)) {
      await checks;
      child.kill('SIGKILL');
      killed = true;
    }
  }
  const code = await exited;
  if (!killed) throw new Error(`fixture exited on its own (${code}):\n${stderr}`);
  return outcome;
}

async function allKeys(storage: Storage, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for (const segment of await storage.list(prefix)) {
    if (segment.endsWith('/')) keys.push(...(await allKeys(storage, prefix + segment)));
    // A key that is also a folder: list shows both "x" and "x/", the key is in `segment` without "/".
    else keys.push(prefix + segment);
  }
  return keys;
}

/** Reopens after a crash and checks every key against the model; collapses the model to what is there. */
async function verify(store: string, model: Map<string, KeyState>): Promise<void> {
  const storage = await openFileStorage({ path: store });
  try {
    for (const [key, state] of model) {
      const value = await storage.get(key);
      const actual = value === undefined ? ABSENT : createHash('sha256').update(value).digest('hex');
      const allowed = [state.confirmed, ...(state.inFlight === undefined ? [] : [state.inFlight])];
      if (!allowed.includes(actual)) {
        throw new Error(`${key}: found ${actual}, expected one of ${allowed.join(', ')}`);
      }
      model.set(key, { confirmed: actual });
    }
    for (const key of await allKeys(storage)) {
      if (!model.has(key)) throw new Error(`${key}: present but never written`);
    }
    expect(storage.stats().keys).toBe([...model.values()].filter((state) => state.confirmed !== ABSENT).length);
    await storage.put('probe', bytes('usable'));
    expect(text(await storage.get('probe'))).toBe('usable');
    await storage.delete('probe');
  } finally {
    await storage.close();
  }
}

describe('crash safety (SIGKILL of a writing process)', () => {
  let store: string;
  let remove: () => Promise<void>;

  beforeAll(async () => {
    buildPackage();
    ({ store, remove } = await tempStore());
  });
  afterAll(async () => {
    await remove?.();
  });

  it('never loses an acknowledged write nor leaves a torn value, across repeated kills', { timeout: 180_000 }, async () => {
    const model = new Map<string, KeyState>();
    let killedDuringCompaction = 0;
    for (let run = 0; run < 8; run++) {
      // Even runs die after some number of acknowledgements; odd runs while a compaction is running,
      // at a different point of it each time (writers keep writing during compaction).
      const target = 300 + ((run * 389) % 1200);
      const intoCompaction = (run * 13) % 40;
      const killWhen = (outcome: RunOutcome) =>
        run % 2 === 0
          ? outcome.acknowledged >= target
          : outcome.acknowledged >= 200 &&
            outcome.compactionsStarted > outcome.compactionsFinished &&
            outcome.acknowledgedSinceCompaction >= intoCompaction;
      // While the writer runs, the store is locked against this process.
      const whileRunning = async (pid: number) => {
        const error = await openFileStorage({ path: store }).then(
          async (storage) => {
            await storage.close();
            return undefined;
          },
          (caught: unknown) => caught,
        );
        expect(isCofferError(error) && error.code === 'unavailable' && error.message.includes(`pid ${pid}`)).toBe(true);
      };
      const outcome = await runAndKill(store, run, model, killWhen, whileRunning);
      if (outcome.compactionsStarted > outcome.compactionsFinished) killedDuringCompaction++;
      expect(outcome.acknowledged).toBeGreaterThan(0);
      // A kill leaves the page cache to finish the last write; a power cut may not. Every third run
      // also gets the start of an unacknowledged batch after the log, as a torn write leaves.
      if (run % 3 === 2) await appendFile(join(store, LOG_FILE), Buffer.concat([encodeBatchHeader(100_000), randomBytes(5000)]));
      await verify(store, model); // also takes over the dead writer's lock
    }
    expect(killedDuringCompaction).toBeGreaterThanOrEqual(4);

    // Finally: an explicit compaction of the crash-worn log, and one more reopen.
    const storage = await openFileStorage({ path: store });
    await storage.compact();
    await storage.close();
    await verify(store, model);
  });
});
