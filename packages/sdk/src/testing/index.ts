export { describeStorageConformance } from './storage-conformance.js';
export type { StorageConformanceOptions, StorageUnderTest } from './storage-conformance.js';
export { describeSealConformance } from './seal-conformance.js';
export { InMemoryStorage } from '../memory-storage.js';
