import { resolve } from 'node:path';

/** bench/ itself (this file runs from bench/dist/). */
export const BENCH_DIR = resolve(import.meta.dirname, '..');
export const RESULTS_MD = resolve(BENCH_DIR, 'RESULTS.md');
export const RESULTS_DIR = resolve(BENCH_DIR, 'results');
