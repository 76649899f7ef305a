import { open, rename, rm } from 'node:fs/promises';
import { isCofferError, type Logger } from '@coffer/sdk';
import { corruptionError, ioError, isErrnoException } from './errors.js';
import { KeyIndex } from './key-index.js';
import { LogFile, syncDirectoryOf } from './log-file.js';
import { scanLog } from './log-scanner.js';
import { checkFileHeader, encodeFileHeader, FILE_HEADER_BYTES, RecordKind } from './record-format.js';

export interface RecoveredLog {
  file: LogFile;
  /** The end of the valid log, where the next batch goes. */
  end: number;
  index: KeyIndex;
}

/**
 * Opens the log after a clean shutdown or a crash, and repairs what a crash can leave:
 * - a temp file from an interrupted compaction or creation is deleted (the log it would have
 *   replaced is still complete, or the rename already happened);
 * - a torn tail (a batch that was being written, never acknowledged) is truncated, then fsynced.
 * A log whose header is not ours, or that is damaged before its last batch, is refused with
 * `internal`: no crash produces that, and truncating would throw away acknowledged writes.
 */
export async function recoverLog(logPath: string, tmpPath: string, logger: Logger): Promise<RecoveredLog> {
  await removeStaleTemp(tmpPath, logger);
  let handle;
  try {
    handle = await open(logPath, 'r+');
  } catch (error) {
    if (!isErrnoException(error, 'ENOENT')) throw ioError('could not open the storage log', error);
    await createLog(logPath, tmpPath);
    handle = await open(logPath, 'r+').catch((cause: unknown) => {
      throw ioError('could not open the storage log', cause);
    });
  }
  try {
    const { size } = await handle.stat();
    const header = Buffer.alloc(FILE_HEADER_BYTES);
    await handle.read(header, 0, FILE_HEADER_BYTES, 0);
    const headerProblem = size < FILE_HEADER_BYTES ? 'file header is truncated' : checkFileHeader(header);
    if (headerProblem !== undefined) throw corruptionError(`storage log ${logPath} is unusable: ${headerProblem}`);
    const index = new KeyIndex();
    const scan = await scanLog(handle, FILE_HEADER_BYTES, size, (record) => {
      if (record.kind === RecordKind.put) index.set(record.key, { offset: record.offset, size: record.size });
      else index.delete(record.key);
    });
    if (scan.problem !== undefined && !scan.torn) {
      throw corruptionError(
        `storage log ${logPath} is damaged at offset ${scan.validEnd} (${scan.problem}) with data after it; ` +
          'refusing to open rather than discard it (restore from a backup)',
      );
    }
    if (scan.problem !== undefined) {
      logger.warn(
        { offset: scan.validEnd, discardedBytes: size - scan.validEnd, reason: scan.problem },
        'storage log has a torn tail from an interrupted write; truncating it',
      );
      await handle.truncate(scan.validEnd);
      await handle.datasync();
    }
    return { file: new LogFile(handle), end: scan.validEnd, index };
  } catch (error) {
    await handle.close().catch(() => {});
    if (isCofferError(error)) throw error;
    throw ioError('could not read the storage log', error);
  }
}

/** Creates an empty log atomically, so a log file, once it exists, always has a whole header. */
async function createLog(logPath: string, tmpPath: string): Promise<void> {
  try {
    const handle = await open(tmpPath, 'wx', 0o600);
    try {
      await handle.writeFile(encodeFileHeader());
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmpPath, logPath);
    await syncDirectoryOf(logPath);
  } catch (error) {
    throw ioError('could not create the storage log', error);
  }
}

async function removeStaleTemp(tmpPath: string, logger: Logger): Promise<void> {
  try {
    await rm(tmpPath);
    logger.info('removed the temp file of an interrupted compaction');
  } catch (error) {
    if (!isErrnoException(error, 'ENOENT')) throw ioError('could not remove a stale storage temp file', error);
  }
}
