export { FileStorage, LOG_FILE, openFileStorage } from './file-storage.js';
export type { CompactionPolicy, CompactionResult, FileStorageOptions, FileStorageStats } from './file-storage.js';
export { LOCK_FILE } from './dir-lock.js';
export { MAX_KEY_BYTES, MAX_VALUE_BYTES } from './record-format.js';
