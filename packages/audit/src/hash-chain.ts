import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { formatRfc3339Nano } from './rfc3339.js';

/**
 * Tamper evidence for audit files. Each line ends with `"chain":{"seq":N,"prev":"<sha256 of the
 * previous line>"}`, so removing, inserting, editing or reordering a line breaks a link. A hash
 * chain alone can be recomputed by whoever edits the file, so every `checkpointInterval` entries,
 * and whenever a file is opened, rotated or closed, a checkpoint line is added whose chain object
 * also carries `"checkpoint":"<reason>"` and `"mac":"hmac-sha256:<hex>"`: an HMAC, under a key kept
 * behind the barrier, of the checkpoint line up to its MAC. Rewriting history before a checkpoint
 * then needs the key. Lines after the last checkpoint are protected by the links only.
 */

export const CHAIN_GENESIS = '0'.repeat(64);
export const CHECKPOINT_REASONS = ['start', 'interval', 'rotate', 'close'] as const;
export type CheckpointReason = (typeof CHECKPOINT_REASONS)[number];

/** The last line of a chain: its sequence number and SHA-256. A new file links to its predecessor's head. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export interface ChainLink {
  seq: number;
  prev: string;
  /** Checkpoints only. */
  checkpoint?: string;
  mac?: string;
  /** Index of `,"mac":` in the line: the MAC covers everything before it. */
  macAt?: number;
}

export interface HashChainOptions {
  key: Uint8Array;
  checkpointInterval: number;
  /** The device's prefix, written before checkpoint lines too. */
  prefix: string;
  now: () => bigint;
}

const MAC_DOMAIN = 'coffer-audit-checkpoint-v1\n';
const LINK = /,"chain":\{"seq":(\d+),"prev":"([0-9a-f]{64})"(?:,"checkpoint":"([a-z]+)","mac":"hmac-sha256:([0-9a-f]{64})")?\}\}$/;

export function lineHash(line: string): string {
  return createHash('sha256').update(line, 'utf8').digest('hex');
}

/** The chain object at the end of a line, or undefined when the line has none. */
export function parseChainLink(line: string): ChainLink | undefined {
  const m = LINK.exec(line);
  if (!m) return undefined;
  const link: ChainLink = { seq: Number(m[1]), prev: m[2] as string };
  if (m[3] !== undefined && m[4] !== undefined) {
    link.checkpoint = m[3];
    link.mac = m[4];
    link.macAt = line.lastIndexOf(',"mac":"');
  }
  return link;
}

export function checkpointMac(key: Uint8Array, body: string): string {
  return createHmac('sha256', key).update(MAC_DOMAIN + body, 'utf8').digest('hex');
}

/** Whether a checkpoint line's MAC is right under `key`. */
export function checkpointMacValid(key: Uint8Array, line: string, link: ChainLink): boolean {
  if (link.mac === undefined || link.macAt === undefined) return false;
  const expected = Buffer.from(checkpointMac(key, line.slice(0, link.macAt)), 'hex');
  return timingSafeEqual(expected, Buffer.from(link.mac, 'hex'));
}

/**
 * The running state of one file's chain. `fork()` gives a draft for a batch of writes; the file
 * sink adopts the draft only once the batch is on disk, so a failed write never advances the chain.
 */
export class HashChain {
  readonly #options: HashChainOptions;
  #head: ChainHead;
  #sinceCheckpoint: number;

  constructor(options: HashChainOptions, head: ChainHead = { seq: 0, hash: CHAIN_GENESIS }, sinceCheckpoint = 0) {
    this.#options = options;
    this.#head = { ...head };
    this.#sinceCheckpoint = sinceCheckpoint;
  }

  get head(): ChainHead {
    return { ...this.#head };
  }

  fork(): HashChain {
    return new HashChain(this.#options, this.#head, this.#sinceCheckpoint);
  }

  adopt(draft: HashChain): void {
    this.#head = draft.head;
    this.#sinceCheckpoint = draft.#sinceCheckpoint;
  }

  /** Continues from another head (a file's last line after a restart or reopen). */
  resume(head: ChainHead): void {
    this.#head = { ...head };
    this.#sinceCheckpoint = 0;
  }

  /** The entry line with its link, followed by an interval checkpoint when one is due. */
  append(line: string): string[] {
    if (!line.endsWith('}') || line.endsWith('{}')) throw new Error('audit line is not a JSON object');
    const seq = this.#head.seq + 1;
    const linked = `${line.slice(0, -1)},"chain":{"seq":${seq},"prev":"${this.#head.hash}"}}`;
    this.#advance(linked, seq);
    this.#sinceCheckpoint += 1;
    if (this.#sinceCheckpoint < this.#options.checkpointInterval) return [linked];
    return [linked, this.checkpoint('interval')];
  }

  checkpoint(reason: CheckpointReason): string {
    const seq = this.#head.seq + 1;
    const time = formatRfc3339Nano(this.#options.now());
    const body =
      `${this.#options.prefix}{"time":"${time}","type":"checkpoint",` +
      `"chain":{"seq":${seq},"prev":"${this.#head.hash}","checkpoint":"${reason}"`;
    const line = `${body},"mac":"hmac-sha256:${checkpointMac(this.#options.key, body)}"}}`;
    this.#advance(line, seq);
    this.#sinceCheckpoint = 0;
    return line;
  }

  #advance(line: string, seq: number): void {
    this.#head = { seq, hash: lineHash(line) };
  }
}
