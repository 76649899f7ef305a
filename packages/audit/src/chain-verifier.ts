import {
  checkpointMacValid,
  lineHash,
  parseChainLink,
  type ChainHead,
  type ChainLink,
} from './hash-chain.js';

export interface VerifyAuditLogOptions {
  /** The checkpoint key (from behind the barrier). Without it, links are checked but MACs are not. */
  key?: Uint8Array | undefined;
  /** The previous file's head (from verifying it), to check a rotated file continues it. */
  after?: ChainHead | undefined;
}

export type VerifyAuditLogResult =
  | {
      ok: true;
      /** Audit entries (checkpoints not counted). */
      entries: number;
      checkpoints: number;
      /** Checkpoint MACs checked against the key (0 without a key). */
      checkpointsVerified: number;
      /** The last line: pass it as `after` when verifying the next (rotated) file. */
      head: ChainHead | undefined;
      /** Lines after the last checkpoint: protected by the links only, not by the key. */
      uncheckpointed: number;
      /** Why the last checkpoint was written (`close` after a clean shutdown). */
      lastCheckpoint: string | undefined;
    }
  | { ok: false; line: number; reason: string };

/**
 * Checks an audit file's hash chain and reports the first line where it breaks, naming what most
 * likely happened there: a line deleted, inserted, edited or moved, or a checkpoint forged.
 * Line numbers are 1-based. A file must begin with a `start` checkpoint (the sink writes one each
 * time it opens a file) or continue `after`, so lines removed from its beginning show too.
 */
export function verifyAuditLog(text: string, options: VerifyAuditLogOptions = {}): VerifyAuditLogResult {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const links = lines.map((line) => parseChainLink(line));
  let entries = 0;
  let checkpoints = 0;
  let checkpointsVerified = 0;
  let uncheckpointed = 0;
  let lastCheckpoint: string | undefined;
  let head: ChainHead | undefined = options.after;

  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] as string;
    const link = links[i];
    const failure = link ? checkLink(i, link, links, head, options) : missingLink(i, links, head);
    if (failure) return { ok: false, line: failure.line + 1, reason: failure.reason };
    const current = link as ChainLink;
    if (current.checkpoint !== undefined) {
      if (options.key) {
        if (!checkpointMacValid(options.key, line, current)) {
          return {
            ok: false,
            line: i + 1,
            reason: 'checkpoint MAC is invalid: the checkpoint was forged or edited, or lines before it were rewritten (or the key is wrong)',
          };
        }
        checkpointsVerified += 1;
      }
      checkpoints += 1;
      uncheckpointed = 0;
      lastCheckpoint = current.checkpoint;
    } else {
      entries += 1;
      uncheckpointed += 1;
    }
    head = { seq: current.seq, hash: lineHash(line) };
  }
  return { ok: true, entries, checkpoints, checkpointsVerified, head, uncheckpointed, lastCheckpoint };
}

interface Failure {
  /** 0-based. */
  line: number;
  reason: string;
}

function missingLink(i: number, links: readonly (ChainLink | undefined)[], head: ChainHead | undefined): Failure {
  const next = links[i + 1];
  if (head && next && continues(next, head)) {
    return {
      line: i,
      reason: 'line has no chain record and the next line links to the line before it: it was inserted, or is a write cut short by a crash',
    };
  }
  return { line: i, reason: 'line has no chain record: it was edited, inserted, or cut short by a failed write' };
}

function checkLink(
  i: number,
  link: ChainLink,
  links: readonly (ChainLink | undefined)[],
  head: ChainHead | undefined,
  options: VerifyAuditLogOptions,
): Failure | undefined {
  if (!head) {
    // The first line of a file that continues nothing we know of: only a start checkpoint may begin it.
    if (link.checkpoint !== 'start') {
      return { line: i, reason: 'the file does not begin with a start checkpoint: lines were removed from its beginning' };
    }
    return undefined;
  }
  if (continues(link, head)) return undefined;
  const expected = head.seq + 1;
  if (i === 0 && options.after) {
    return { line: i, reason: `the file does not continue the previous one (expected seq ${expected} linking to its last line)` };
  }
  const next = links[i + 1];
  if (link.seq > expected && next?.seq === expected) {
    return { line: i, reason: `lines are out of order: seq ${link.seq} comes before seq ${expected}` };
  }
  if (next && continues(next, head)) {
    return { line: i, reason: 'line was inserted: the next line links to the line before it' };
  }
  if (link.seq === expected) {
    // The link is where it should be but the hash differs: the line before changed after it was written.
    return { line: i - 1, reason: `line was modified: its SHA-256 no longer matches the one recorded by line ${i + 1}` };
  }
  if (link.seq > expected) {
    const missing = link.seq - expected;
    const range = missing > 1 ? `seq ${expected}-${link.seq - 1}` : `seq ${expected}`;
    return { line: i, reason: `${missing} line${missing === 1 ? ' is' : 's are'} missing before this line (${range})` };
  }
  return { line: i, reason: `line is out of order or repeated: seq ${link.seq} after seq ${head.seq}` };
}

function continues(link: ChainLink, head: ChainHead): boolean {
  return link.seq === head.seq + 1 && link.prev === head.hash;
}
