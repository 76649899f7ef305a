import { readFile } from 'node:fs/promises';
import { verifyAuditLog, type ChainHead } from '@coffer/audit';
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT, remoteError, usageError } from '../exit-codes.js';
import { toJson } from '../output.js';
import { readAll } from '../prompt.js';
import { dataOf } from '../secret.js';
import { action, api, optionsOf } from './shared.js';

/** Standard base64 with its padding, as sys/audit-chain/key returns it: a mangled paste fails here, not as "broken". */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const isBase64 = (text: string) => text !== '' && BASE64.test(text);

type FileResult =
  | { file: string; intact: true; entries: number; checkpoints: number; checkpointsVerified: number; uncheckpointed: number; head: ChainHead | undefined }
  | { file: string; intact: false; line: number; reason: string };

/** A local file's text; failures worded as Go's os errors (as `policy write` does), exit 1. */
async function readLocal(what: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reasons: Record<string, string> = {
      ENOENT: 'no such file or directory',
      EACCES: 'permission denied',
      EISDIR: 'is a directory',
      // verifyAuditLog takes the whole text; a file past V8's string limit cannot be checked in one piece.
      ERR_STRING_TOO_LONG: 'file too large to verify in one piece',
    };
    throw usageError(`${what}: open ${path}: ${(code && reasons[code]) ?? code ?? String(error)}`);
  }
}

/** `-key`: the base64 key itself, `@file` holding it, or `-` for stdin (keeps it out of `ps`). */
async function givenKey(ctx: Context, flag: string | undefined): Promise<Buffer | undefined> {
  if (flag === undefined) return undefined;
  let text = flag;
  if (flag === '-') text = await readAll(ctx.io.stdin);
  else if (flag.startsWith('@')) text = await readLocal('Error reading the chain key', flag.slice(1));
  text = text.trim();
  if (!isBase64(text)) throw usageError('Error parsing -key: it must be the base64 key that sys/audit-chain/key returns');
  return Buffer.from(text, 'base64');
}

/** The checkpoint key from behind the barrier (sudo), with the token from the environment or token file. */
async function fetchedKey(ctx: Context): Promise<Buffer> {
  const client = await ctx.client();
  const secret = await api('Error reading the audit chain key', () => client.read('sys/audit-chain/key'));
  const key = dataOf(secret)?.key;
  if (typeof key !== 'string' || !isBase64(key)) throw remoteError('Error reading the audit chain key: the server returned no key');
  return Buffer.from(key, 'base64');
}

function check(file: string, text: string, key: Buffer, after: ChainHead | undefined): FileResult {
  if (text === '') {
    // The verifier accepts no lines at all, but a chained sink writes a start checkpoint the moment it
    // opens a file: an empty one was emptied, and calling it intact would hide a whole-file wipe.
    return { file, intact: false, line: 1, reason: 'the file is empty, but a chained audit file begins with a start checkpoint: it was truncated' };
  }
  const result = verifyAuditLog(text, { key, after });
  if (!result.ok) return { file, intact: false, line: result.line, reason: result.reason };
  const { entries, checkpoints, checkpointsVerified, uncheckpointed, head } = result;
  return { file, intact: true, entries, checkpoints, checkpointsVerified, uncheckpointed, head };
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function describe(result: FileResult): string {
  if (!result.intact) return `Error: the audit log ${result.file} is broken at line ${result.line}: ${result.reason}`;
  return (
    `Success! The audit log ${result.file} is intact: ${count(result.entries, 'entry', 'entries')}, ` +
    `${count(result.checkpointsVerified, 'checkpoint', 'checkpoints')} verified ` +
    `(${count(result.uncheckpointed, 'entry', 'entries')} after the last checkpoint)`
  );
}

function asJson(result: FileResult): Record<string, unknown> {
  if (!result.intact) return { file: result.file, intact: false, line: result.line, reason: result.reason };
  return {
    file: result.file,
    intact: true,
    entries: result.entries,
    checkpoints: result.checkpoints,
    checkpoints_verified: result.checkpointsVerified,
    entries_after_last_checkpoint: result.uncheckpointed,
  };
}

/**
 * `audit verify FILE [PREVIOUS_FILE]` (Coffer's own; Vault's logs have no chain): checks a file
 * sink's hash chain and checkpoint MACs and names the first line where it breaks. With the file it
 * was rotated from, that one is checked first and FILE must continue its last line, which also
 * catches lines cut from the end of the older file. Exit 0 intact, 2 broken, 1 unreadable input.
 */
export function registerAuditVerifyCommand(audit: Command, ctx: Context): void {
  action(
    ctx,
    audit
      .command('verify')
      .description("Check an audit file's hash chain and name the first line where it was tampered with")
      .argument('<file>', 'the audit log')
      .argument('[previous_file]', 'the file it was rotated from: checked first, and FILE must continue it')
      .option('--key <base64>', 'the chain key (sys/audit-chain/key), or @file, or - for stdin; fetched with the token when omitted'),
    async (...args) => {
      const [file, previous] = args as [string, string | undefined];
      const { key: keyFlag } = optionsOf<{ key?: string }>(args);
      const given = await givenKey(ctx, keyFlag);
      const files = previous === undefined ? [file] : [previous, file];
      // Read before asking the server: a typo in a path fails locally, and the key request's own audit
      // entries land after the snapshot taken of a live file.
      const texts: string[] = [];
      for (const path of files) texts.push(await readLocal('Error reading the audit log', path));
      const key = given ?? (await fetchedKey(ctx));

      const results: FileResult[] = [];
      let after: ChainHead | undefined;
      for (const [i, path] of files.entries()) {
        const result = check(path, texts[i] as string, key, after);
        results.push(result);
        if (!result.intact) break;
        after = result.head;
      }
      const intact = results.every((result) => result.intact);
      if (ctx.format === 'json') ctx.out(toJson({ intact, files: results.map(asJson) }));
      else {
        for (const result of results) {
          if (result.intact) ctx.out(describe(result));
          else ctx.err(describe(result));
        }
      }
      return intact ? EXIT.ok : EXIT.auditBroken;
    },
  );
}
