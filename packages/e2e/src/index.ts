// The harness pieces the benchmark and the long fault runs (bench/) share with these tests.
export { api, CLI, CofferStartError, freePort, startCoffer } from './coffer-process.js';
export type { CofferProcess, StartCofferOptions } from './coffer-process.js';
export { initialiseAndUnseal, mount, unseal } from './coffer-setup.js';
export type { InitialisedCoffer } from './coffer-setup.js';
export { startHaCluster } from './ha-cluster.js';
export type { HaCluster, HaNode } from './ha-cluster.js';
export { runCrashLoop } from './faults/crash-loop.js';
export type { CrashLoopOptions, CrashLoopResult } from './faults/crash-loop.js';
export { runFailoverLoop } from './faults/failover-loop.js';
export type { FailoverLoopOptions, FailoverLoopResult } from './faults/failover-loop.js';
export { formatOutcomes, runHttpFuzz } from './faults/http-fuzz.js';
export type { HttpFuzzOptions, HttpFuzzResult } from './faults/http-fuzz.js';
export { fuzzFreshServer } from './faults/fuzz-target.js';
export type { FuzzRunOptions, FuzzRunResult } from './faults/fuzz-target.js';
export { fuzzCase } from './faults/fuzz-requests.js';
export type { FuzzCase } from './faults/fuzz-requests.js';
export type { LedgerCheck } from './faults/kv-ledger.js';
